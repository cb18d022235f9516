// The calls Fargate makes for a task in Account B, evaluated against every policy that decides each one: the
// execution role's policies and boundary, Account A's repository policy, and the VPC endpoint policies the call
// passes through. Fargate pulls with the execution role (ECS developer guide, "Amazon ECS task execution IAM role"):
// ecr:GetAuthorizationToken goes to the ecr.api endpoint, the image manifest and layer calls to ecr.dkr, and the
// layers themselves come from S3 through the gateway endpoint.
import { defaultDelivery } from '../helpers/default-delivery';
import { bootstrapTargets } from '../../tools/operator/bootstrap';
import { DeployedStack } from '../helpers/deployed-policies';
import { decide, verdictOf, type IamRequest, type PolicyJson } from '../helpers/iam';
import { OUTSIDE_ACCOUNT, REGION } from '../helpers/constants';

// GIVEN the default app, synthesized once for the run
const { config, delivery } = defaultDelivery();
const registry = DeployedStack.of(delivery.stages.registry.stack);
const network = DeployedStack.of(delivery.stages.environments[0].network.stack);
const service = DeployedStack.of(delivery.stages.environments[0].service.stack);
const workloadBoundary = bootstrapTargets(config).find((t) => t.account === service.account)!.boundary;

const [repositoryId] = registry.ofType('AWS::ECR::Repository');
const repositoryArn = registry.arnOf(repositoryId);
const repositoryPolicy = registry.resourcePolicyFor(repositoryArn);
const [taskDefinitionId] = service.ofType('AWS::ECS::TaskDefinition');
const executionRoleId = service.resources[taskDefinitionId].Properties.ExecutionRoleArn['Fn::GetAtt'][0] as string;
const executionRole = service.arnOf(executionRoleId);

/** The endpoint policy of the interface or gateway endpoint for one service, as deployed. */
function endpointPolicy(serviceSuffix: string): PolicyJson | undefined {
  const id = network
    .ofType('AWS::EC2::VPCEndpoint')
    .find((e) => (network.resolve(network.resources[e].Properties.ServiceName) as string).endsWith(serviceSuffix));
  if (!id) throw new Error(`no ${serviceSuffix} endpoint in the network stack`);
  const document = network.resources[id].Properties.PolicyDocument;
  // An endpoint without a policy allows everything (VPC user guide, "Control access to VPC endpoints").
  return document && network.resolve(document);
}

function asExecutionRole(action: string, resource: string, resourceAccount: string, endpoint: string): IamRequest {
  const policy = endpointPolicy(endpoint);
  return {
    principal: executionRole,
    action,
    resource,
    resourceAccount,
    identityPolicies: service.identityPolicies(executionRoleId),
    permissionsBoundary: workloadBoundary,
    resourcePolicy: resourceAccount === registry.account ? repositoryPolicy : undefined,
    endpointPolicies: policy ? [policy] : [],
  };
}

describe("the task's pull path, from Account B to Account A", () => {
  test('crosses accounts: the repository is in A, the task in B', () => {
    expect(registry.account).not.toBe(service.account);
    expect(repositoryArn).toBe(`arn:aws:ecr:${REGION}:${registry.account}:repository/hello-privatelink`);
  });

  test('gets an authorization token through the ecr.api endpoint', async () => {
    expect(await verdictOf(asExecutionRole('ecr:GetAuthorizationToken', '*', service.account, '.ecr.api'))).toMatch(
      /: Allowed$/,
    );
  });

  test.each(['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'])(
    "%s on A's repository through the ecr.dkr endpoint: identity, boundary, repository and endpoint policies allow",
    async (action) => {
      expect(await verdictOf(asExecutionRole(action, repositoryArn, registry.account, '.ecr.dkr'))).toMatch(
        /: Allowed$/,
      );
    },
  );

  test('fetches image layers from the ECR layer bucket through the S3 gateway endpoint, and nothing else there', async () => {
    // The layer URL is presigned by ECR, so the endpoint policy is what this VPC decides; the caller is modelled
    // as a principal whose own policies allow the read.
    const read = (bucket: string): IamRequest => ({
      principal: `arn:aws:iam::${OUTSIDE_ACCOUNT}:role/ecr-layer-download`,
      action: 's3:GetObject',
      resource: `arn:aws:s3:::${bucket}/layers/sha256-0123`,
      resourceAccount: OUTSIDE_ACCOUNT,
      identityPolicies: [{ Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] }],
      endpointPolicies: [endpointPolicy('.s3')!],
    });
    expect(await decide(read(`prod-${REGION}-starport-layer-bucket`))).toBe('Allowed');
    expect(await decide(read('someone-elses-bucket'))).not.toBe('Allowed');
  });

  test.each(['logs:CreateLogStream', 'logs:PutLogEvents'])(
    '%s into its log group through the logs endpoint',
    async (action) => {
      const [logGroupId] = service.ofType('AWS::Logs::LogGroup');
      const stream = `${service.arnOf(logGroupId).replace(/:\*$/, '')}:log-stream:web/Web/0123`;
      expect(await verdictOf(asExecutionRole(action, stream, service.account, '.logs'))).toMatch(/: Allowed$/);
    },
  );

  test('cannot push, and cannot pull from another repository of A through the endpoints', async () => {
    expect(await decide(asExecutionRole('ecr:PutImage', repositoryArn, registry.account, '.ecr.dkr'))).not.toBe(
      'Allowed',
    );
    const other = `arn:aws:ecr:${REGION}:${registry.account}:repository/other`;
    expect(await decide(asExecutionRole('ecr:BatchGetImage', other, registry.account, '.ecr.dkr'))).not.toBe('Allowed');
  });
});
