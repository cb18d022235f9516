import type { Construct } from 'constructs';
import { servesHttps, type DeployConfig, type EnvironmentConfig } from '../config/load';
import {
  ENVIRONMENT_TAG,
  PROJECT_TAG,
  environmentStackNames,
  environmentStageIds,
  pipelineStackName,
  postDeployCheckRoleArn,
  registryStackName,
  repositoryArn,
  verifierFunctionName,
} from '../config/names';
import { NetworkStage } from '../stages/network/network-stage';
import { applyPermissionsBoundary } from '../stages/permissions-boundary';
import { encryptLogs } from '../stages/log-encryption';
import { RegistryStage } from '../stages/registry/registry-stage';
import { ServiceStage } from '../stages/service/service-stage';

/** One workload environment's stages, in deployment order. */
export interface EnvironmentStages {
  readonly environment: EnvironmentConfig;
  readonly network: NetworkStage;
  readonly service: ServiceStage;
}

export interface DeliveryStages {
  readonly registry: RegistryStage;
  readonly environments: readonly EnvironmentStages[];
}

/**
 * Whether the pipeline checks the environment from inside its VPC. An internet-facing load balancer is checked from
 * the CodeBuild step on the internet, the path users take; from the isolated subnets its public addresses are out
 * of reach ("resolvable to the public IP addresses of the nodes", Elastic Load Balancing API, CreateLoadBalancer).
 */
export function checkedFromInsideTheVpc(environment: EnvironmentConfig): boolean {
  return environment.network.albScheme === 'internal';
}

/**
 * Turns the configuration into the three kinds of stage: the registry in Account A, then a network and a
 * service stage per workload environment. The app entry and the pipeline both call this, so a stage
 * deployed by hand is the same as one the pipeline deploys.
 */
export function createDeliveryStages(scope: Construct, config: DeployConfig, imageTag: string): DeliveryStages {
  const registry = new RegistryStage(scope, 'Registry', {
    env: { account: config.registry.account, region: config.region },
    stackName: registryStackName(config),
    registry: {
      repositoryName: config.registry.repositoryName,
      projectName: config.projectName,
      pullerAccounts: [...new Set(config.environments.map((e) => e.account))],
      toolingAccount: config.toolingAccount,
      pipelineRolePrefix: pipelineStackName(config),
      keepLastImages: config.registry.keepLastImages,
      untaggedExpiryDays: config.registry.untaggedExpiryDays,
    },
  });

  const { account: registryAccount, repositoryName } = config.registry;
  const repository = repositoryArn(config.partition, config.region, registryAccount, repositoryName);
  const environments = config.environments.map((environment) => {
    const env = { account: environment.account, region: config.region };
    const stackNames = environmentStackNames(config.projectName, environment.name);
    const stageIds = environmentStageIds(environment.name);
    const network = new NetworkStage(scope, stageIds.network, {
      env,
      stackName: stackNames.network,
      network: {
        vpcCidr: environment.network.vpcCidr,
        internetFacing: environment.network.albScheme === 'internet-facing',
        domainName: environment.network.domainName,
        hostedZone: environment.network.hostedZone,
        certificateArn: environment.network.certificateArn,
        diagnosticsHost: environment.network.diagnosticsHost,
        logRetentionDays: environment.network.logRetentionDays,
        deletionProtection: environment.network.deletionProtection,
        repositoryArn: repository,
      },
    });
    const service = new ServiceStage(scope, stageIds.service, {
      env,
      stackName: stackNames.service,
      service: {
        ...environment.service,
        repositoryArn: repository,
        imageTag,
        networkStackName: stackNames.network,
        alarmTopicArn: environment.alarmTopicArn,
        internetFacing: environment.network.albScheme === 'internet-facing',
        verifierFunctionName: verifierFunctionName(config.projectName, environment.name),
        // An internal load balancer resolves to private addresses: only a check inside the VPC reaches it.
        pipelineCheck: checkedFromInsideTheVpc(environment)
          ? {
              invokerRoleArn: postDeployCheckRoleArn(config.partition, config.toolingAccount, config.projectName),
              listenerPort: servesHttps(environment.network) ? 443 : 80,
            }
          : undefined,
      },
    });
    for (const stage of [network, service]) stage.stack.tags.setTag(ENVIRONMENT_TAG, environment.name);
    return { environment, network, service };
  });

  // Stack tags: CloudFormation copies them onto every resource, for cost allocation; the plan report groups by them.
  for (const stage of [registry, ...environments.flatMap((e) => [e.network, e.service])]) {
    stage.stack.tags.setTag(PROJECT_TAG, config.projectName);
    applyPermissionsBoundary(stage.stack, config.projectName);
  }
  for (const { network, service } of environments) {
    for (const stage of [network, service]) encryptLogs(stage.stack, config.logEncryption);
  }
  return { registry, environments };
}
