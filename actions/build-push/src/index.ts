import { run } from './main.js';
import { POST_STATE, runPost } from './post-step.js';

// One bundle serves the main and the post step (as actions/checkout does): the main step saves
// isPost first, so the post step, run from the same file, finds it.
if (process.env[`STATE_${POST_STATE.isPost}`] === 'true') await runPost();
else await run();
