import { loadConfig } from '../../config/load';
import { PROJECT_ROOT, configWith } from '../helpers/cdk';
import { PRODUCTION_ACCOUNT, REGISTRY_ACCOUNT, TOOLING_ACCOUNT } from '../helpers/constants';

describe('config loader', () => {
  test('loads the committed default with its placeholder accounts and defaults', () => {
    // GIVEN the committed file WHEN it is loaded
    const config = loadConfig('config/deploy.json', PROJECT_ROOT);
    // THEN the placeholder accounts and the documented defaults are there
    expect(config.toolingAccount).toBe(TOOLING_ACCOUNT);
    expect(config.registry.account).toBe(REGISTRY_ACCOUNT);
    expect(config.environments.map((e) => e.account)).toEqual([PRODUCTION_ACCOUNT]);
    expect(config.service).toMatchObject({ cpuArchitecture: 'ARM64', desiredCount: 2 });
    expect(config.service.maxCount).toBe(config.service.desiredCount);
  });

  test('fills defaults for optional fields', () => {
    const config = configWith((json) => {
      delete json.service.cpuArchitecture;
      delete json.network.albScheme;
      delete json.environments[0].requireApproval;
    });
    expect(config.service.cpuArchitecture).toBe('ARM64');
    expect(config.network.albScheme).toBe('internet-facing');
    expect(config.environments[0].requireApproval).toBe(true);
  });

  test('derives the partition and service domain from the region', () => {
    expect(configWith()).toMatchObject({ partition: 'aws', domainSuffix: 'amazonaws.com' });
    expect(configWith((json) => (json.region = 'cn-north-1'))).toMatchObject({
      partition: 'aws-cn',
      domainSuffix: 'amazonaws.com.cn',
    });
  });

  test('accepts a single account for registry and workload (A = B)', () => {
    const config = configWith((json) => (json.environments[0].account = json.registry.account));
    expect(config.environments[0].account).toBe(config.registry.account);
  });
});
