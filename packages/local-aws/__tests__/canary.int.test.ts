import { afterAll, beforeAll, beforeEach, describe as suite, expect, it } from '@jest/globals';
import { SimulatedClock } from '@ecs-ship/shared/clock';
import { startMoto, type MotoServer } from '@ecs-ship/testing/moto';
import { startLocalAws, type LocalAws } from '../src/local-aws.js';
import { createBlueGreenFixture, registerRevision } from '../src/blue-green-fixture.js';
import { clientsFor, deploy, driveDeployment, ruleWeights, serviceOf } from './helpers.js';

const pauseAtPreProduction = [
  { targetType: 'PAUSE' as const, lifecycleStages: ['PRE_PRODUCTION_TRAFFIC_SHIFT' as const] },
];

let moto: MotoServer;
let clock: SimulatedClock;
let local: LocalAws & { clock: SimulatedClock };

beforeAll(async () => {
  moto = await startMoto();
}, 30_000);
afterAll(async () => {
  await moto?.stop();
});
beforeEach(async () => {
  await local?.stop();
  await moto.reset();
  clock = new SimulatedClock();
  local = (await startLocalAws({ motoEndpoint: moto.endpoint, clock })) as LocalAws & {
    clock: SimulatedClock;
  };
});
afterAll(async () => {
  await local?.stop();
});

suite('canary deployments', () => {
  it('alternates the target groups over two deployments and follows the weights in the production rule', async () => {
    const fixture = await createBlueGreenFixture(local, {
      deploymentConfiguration: { strategy: 'CANARY', lifecycleHooks: pauseAtPreProduction },
    });
    const { ecs, elbv2 } = clientsFor(local);
    expect(await ruleWeights(elbv2, fixture.productionRuleArn)).toEqual({
      [fixture.targetGroupA]: 100,
      [fixture.targetGroupB]: 0,
    });
    const v2 = await registerRevision(local, fixture.family, 'example/app:2');
    const first = await deploy(ecs, fixture.clusterName, fixture.serviceName, v2);
    const seenWeights: Array<Record<string, number>> = [];
    const run1 = await driveDeployment(local, ecs, first, () => 'CONTINUE', 60_000);
    expect(run1.final.status).toBe('SUCCESSFUL');
    expect(run1.pauses.map((p) => [p.stage, p.weight])).toEqual([
      ['PRE_PRODUCTION_TRAFFIC_SHIFT', 0],
      ['PRE_PRODUCTION_TRAFFIC_SHIFT', 5],
    ]);
    expect(new Set(run1.pauses.map((p) => p.hookId)).size).toBe(2);
    seenWeights.push(await ruleWeights(elbv2, fixture.productionRuleArn));
    expect(seenWeights[0]).toEqual({ [fixture.targetGroupA]: 0, [fixture.targetGroupB]: 100 });

    const v3 = await registerRevision(local, fixture.family, 'example/app:3');
    const second = await deploy(ecs, fixture.clusterName, fixture.serviceName, v3);
    // Stop at the canary's bake: 5% of production goes to A, which now serves the new revision.
    const run2 = await driveDeployment(
      local,
      ecs,
      second,
      ({ index }) => (index === 0 ? 'CONTINUE' : 'WAIT'),
      60_000,
      15,
    );
    expect(run2.final.status).toBe('IN_PROGRESS');
    expect(run2.final.lifecycleStage).toBe('PRE_PRODUCTION_TRAFFIC_SHIFT');
    expect(run2.final.targetServiceRevision?.requestedProductionTrafficWeight).toBe(5);
    expect(await ruleWeights(elbv2, fixture.productionRuleArn)).toEqual({
      [fixture.targetGroupB]: 95,
      [fixture.targetGroupA]: 5,
    });
    // The service's own loadBalancers are never rewritten on alternation.
    const service = await serviceOf(ecs, fixture.clusterName, fixture.serviceName);
    expect(service.loadBalancers?.[0]?.targetGroupArn).toBe(fixture.targetGroupA);
    const finish = await driveDeployment(local, ecs, second, () => 'CONTINUE');
    expect(finish.final.status).toBe('SUCCESSFUL');
    expect(await ruleWeights(elbv2, fixture.productionRuleArn)).toEqual({
      [fixture.targetGroupB]: 0,
      [fixture.targetGroupA]: 100,
    });
    expect((await serviceOf(ecs, fixture.clusterName, fixture.serviceName)).taskDefinition).toBe(v3);
  }, 30_000);
});
