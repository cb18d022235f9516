import { configWith } from '../helpers/cdk';
import { OUTSIDE_ACCOUNT, REGION, TOOLING_ACCOUNT } from '../helpers/constants';

describe('settings with no effect', () => {
  test('warns that bakeTimeMinutes does nothing for an environment that rolls', () => {
    // GIVEN a shared bake time and an environment that chose rolling
    const config = configWith((j) => {
      j.service.bakeTimeMinutes = 10;
      j.environments[0].service = { deploymentStrategy: 'rolling' };
    });
    // THEN the config loads, with one warning naming the field, its value and why
    expect(config.warnings).toEqual([
      'config/deploy.json: field "service.bakeTimeMinutes" is 10 and has no effect for environment production: its ' +
        'deploymentStrategy is rolling, which does not bake',
    ]);
  });

  test('warns that canary or linear settings do nothing for an environment with another strategy', () => {
    const config = configWith((j) => {
      j.service.canary = { percent: 10, bakeMinutes: 3 };
      j.environments[0].service = { deploymentStrategy: 'linear', linear: { stepPercent: 20, intervalMinutes: 4 } };
    });
    expect(config.warnings).toEqual([
      'config/deploy.json: field "service.canary" has no effect for environment production: its deploymentStrategy is linear',
    ]);
    expect(config.environments[0].service.linear).toEqual({ stepPercent: 20, intervalMinutes: 4 });
    expect(configWith().environments[0].service.canary).toEqual({ percent: 20, bakeMinutes: 5 });
  });

  test('warns about a review link with no approval, a topic no approval uses, and a profile of no account', () => {
    const config = configWith((j) => {
      j.environments[0].requireApproval = false;
      j.environments[0].reviewUrl = 'https://example.com/review';
      j.pipeline.approvalTopicArn = `arn:aws:sns:${REGION}:${TOOLING_ACCOUNT}:approvals`;
      j.profiles[OUTSIDE_ACCOUNT] = 'old';
    });
    expect(config.warnings).toEqual([
      'config/deploy.json: field "environments[0].reviewUrl" has no effect: environment production has ' +
        'requireApproval false, so no approval shows it',
      'config/deploy.json: field "pipeline.approvalTopicArn" has no effect: no environment requires approval, so ' +
        'nothing is sent',
      `config/deploy.json: field "profiles.${OUTSIDE_ACCOUNT}" has no effect: no configured account is ${OUTSIDE_ACCOUNT}`,
    ]);
  });

  test('the committed config has no setting without effect', () => {
    expect(configWith().warnings).toEqual([]);
  });
});
