// The values CloudFormation resolves while it deploys a stack (SSM parameters and references, Fn::GetStackOutput), each
// as the IAM request of the principal that resolves it.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { BootstrapTarget } from '../../tools/operator/bootstrap';
import { DeployedStack } from '../helpers/deployed-policies';
import { decide, type IamRequest } from '../helpers/iam';
import { EXAMPLE_UUID } from '../helpers/constants';

/** A value CloudFormation resolves while it deploys the stack, with who resolves it. */
export interface DeployTimeValue {
  readonly stack: string;
  readonly what: string;
  readonly resolvedBy: string;
  readonly request: IamRequest;
}

/**
 * Every value resolved at deploy time in a template: SSM-typed parameters and `{{resolve:ssm:...}}` references (the
 * deploy role, the caller of CreateChangeSet, resolves them: aws-samples/aws-cross-account-cicd-pipeline#33), and
 * `Fn::GetStackOutput` (the stack's execution role, unless the function names a RoleArn: CloudFormation template
 * reference). `deployRolePolicy` is the deploy role's policy from the bootstrap template the account runs.
 */
export function deployTimeValues(
  stack: DeployedStack,
  target: BootstrapTarget,
  deployRolePolicy: IamRequest['identityPolicies'],
): DeployTimeValue[] {
  const { account, region } = stack;
  const deployRole = `arn:aws:iam::${account}:role/cdk-hnb659fds-deploy-role-${account}-${region}`;
  const execRole = `arn:aws:iam::${account}:role/cdk-hnb659fds-cfn-exec-role-${account}-${region}`;
  const values: DeployTimeValue[] = [];
  const readParameter = (what: string, name: string) =>
    values.push({
      stack: stack.stackName,
      what,
      resolvedBy: 'deploy role',
      request: {
        principal: deployRole,
        action: 'ssm:GetParameters',
        resource: `arn:aws:ssm:${region}:${account}:parameter${name.startsWith('/') ? '' : '/'}${name}`,
        resourceAccount: account,
        identityPolicies: deployRolePolicy,
      },
    });
  for (const [id, parameter] of Object.entries<any>(stack.template.Parameters ?? {})) {
    if (String(parameter.Type).startsWith('AWS::SSM::Parameter::Value'))
      readParameter(`parameter ${id}`, parameter.Default);
  }
  const walk = (value: unknown): void => {
    if (typeof value === 'string') {
      for (const m of value.matchAll(/\{\{resolve:([a-z-]+):([^:}]+)/g)) {
        // Secrets Manager references would need the secret's resource policy: none is used, so none is modelled.
        if (!/^ssm(-secure)?$/.test(m[1])) throw new Error(`${stack.stackName}: ${m[0]} is not modelled`);
        readParameter(`reference ${m[0]}`, m[2]);
      }
    } else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      const output = (value as Record<string, any>)['Fn::GetStackOutput'];
      if (output) {
        if (output.RoleArn !== undefined)
          throw new Error(`${stack.stackName}: Fn::GetStackOutput with a RoleArn is not modelled`);
        const producer = output.Region ?? region;
        values.push({
          stack: stack.stackName,
          what: `Fn::GetStackOutput ${output.StackName}.${output.OutputName}`,
          resolvedBy: 'execution role',
          request: {
            principal: execRole,
            action: 'cloudformation:DescribeStacks',
            resource: `arn:aws:cloudformation:${producer}:${account}:stack/${output.StackName}/${EXAMPLE_UUID}`,
            resourceAccount: account,
            identityPolicies: [target.policy],
            context: { 'aws:RequestedRegion': producer },
          },
        });
      } else Object.values(value).forEach(walk);
    }
  };
  walk(stack.template.Resources);
  walk(stack.template.Outputs);
  return values;
}

/** The deploy role's policy in an account, as the bootstrap template that ships with the CDK CLI defines it. */
export function stockDeployRolePolicy(account: string, region: string): IamRequest['identityPolicies'] {
  const text = readFileSync(require.resolve('aws-cdk/lib/api/bootstrap/bootstrap-template.yaml'), 'utf8');
  const bootstrap = new DeployedStack(parse(text), account, region, 'CDKToolkit');
  return [bootstrap.resolve(bootstrap.resources.DeploymentActionRole.Properties.Policies[0].PolicyDocument)];
}

/** The deploy-time values of the stacks that their resolving principal may not read. */
export async function unreadableDeployTimeValues(
  stacks: readonly DeployedStack[],
  targets: ReadonlyMap<string, BootstrapTarget>,
): Promise<string[]> {
  const values = stacks.flatMap((stack) =>
    deployTimeValues(stack, targets.get(stack.account)!, stockDeployRolePolicy(stack.account, stack.region)),
  );
  const verdicts = await Promise.all(values.map(async (v) => `${v.stack} ${v.what}: ${await decide(v.request)}`));
  return verdicts.filter((v) => !v.endsWith(': Allowed'));
}
