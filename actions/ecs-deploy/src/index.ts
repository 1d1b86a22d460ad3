import { runStep } from './main.js';

await runStep();
