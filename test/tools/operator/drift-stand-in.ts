// A loopback stand-in for STS and CloudFormation, which moto serves without drift detection, for `npm run drift` run
// as a user runs it.
import { parse as parseArn } from '@aws-sdk/util-arn-parser';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StackResourceDrift } from '@aws-sdk/client-cloudformation';
import { REGION } from '../../helpers/constants';

/** XML as the query protocol answers: objects as elements, arrays as members, text escaped. */
function xml(value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => `<member>${xml(v)}</member>`).join('');
  if (value && typeof value === 'object') {
    return Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `<${k}>${xml(v)}</${k}>`)
      .join('');
  }
  return String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** How one stack answers: not deployed, or its resource drifts (none: in sync) and its template. */
export interface StackScript {
  readonly missing?: boolean;
  readonly drifts?: StackResourceDrift[];
  readonly template?: object;
}

export interface StandIn {
  readonly endpoint: string;
  /** `Action account stack`, in order: the account is the one whose lookup role signed the call. */
  readonly calls: string[];
  /** The roles assumed. */
  readonly assumed: string[];
  stop(): Promise<void>;
}

/**
 * A loopback stand-in for STS and CloudFormation, which moto serves without drift detection: AssumeRole hands out
 * a key naming the role's account, and each CloudFormation call is answered for the stack it names, in the account
 * whose key signed it. Roles in `refuse` are refused, as IAM would refuse an untrusted caller.
 */
export async function startStandIn(stacks: Record<string, StackScript>, refuse: string[] = []): Promise<StandIn> {
  const calls: string[] = [];
  const assumed: string[] = [];
  const roles = new Map<string, string>();
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const input = Object.fromEntries(new URLSearchParams(body));
      const action = input.Action;
      const key = /Credential=([^/]+)\//.exec(String(request.headers.authorization))?.[1] ?? '';
      const reply = (status: number, text: string) => {
        response.writeHead(status, { 'content-type': 'text/xml' });
        response.end(text);
      };
      const ok = (namespace: string, result: unknown) =>
        reply(
          200,
          `<${action}Response xmlns="${namespace}"><${action}Result>${xml(result)}</${action}Result></${action}Response>`,
        );
      const error = (status: number, namespace: string, code: string, message: string) =>
        reply(
          status,
          `<ErrorResponse xmlns="${namespace}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${xml(message)}</Message></Error><RequestId>1</RequestId></ErrorResponse>`,
        );
      if (action === 'AssumeRole') {
        const sts = 'https://sts.amazonaws.com/doc/2011-06-15/';
        assumed.push(input.RoleArn);
        if (refuse.includes(input.RoleArn)) {
          return error(
            403,
            sts,
            'AccessDenied',
            `User: ${key} is not authorized to perform: sts:AssumeRole on resource: ${input.RoleArn}`,
          );
        }
        const accessKey = `ASIA${parseArn(input.RoleArn).accountId}`;
        roles.set(accessKey, input.RoleArn);
        return ok(sts, {
          Credentials: {
            AccessKeyId: accessKey,
            SecretAccessKey: 'secret',
            SessionToken: 'token',
            Expiration: '2099-01-01T00:00:00Z',
          },
          AssumedRoleUser: { Arn: `${input.RoleArn}/drift`, AssumedRoleId: 'AROA:drift' },
        });
      }
      const cfn = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
      const role = roles.get(key);
      const account = role?.split(':')[4] ?? `unknown key ${key}`;
      const stackName = input.StackName ?? input.StackDriftDetectionId?.replace(/^detection-/, '');
      calls.push(`${action} ${account} ${stackName}`);
      const script = stacks[stackName];
      if (!script || script.missing)
        return error(400, cfn, 'ValidationError', `Stack with id ${stackName} does not exist`);
      switch (action) {
        case 'DetectStackDrift':
          return ok(cfn, { StackDriftDetectionId: `detection-${stackName}` });
        case 'DescribeStackDriftDetectionStatus':
          return ok(cfn, {
            StackId: `arn:aws:cloudformation:${REGION}:${account}:stack/${stackName}/1`,
            StackDriftDetectionId: input.StackDriftDetectionId,
            DetectionStatus: 'DETECTION_COMPLETE',
            StackDriftStatus: script.drifts?.length ? 'DRIFTED' : 'IN_SYNC',
            Timestamp: '2026-01-01T00:00:00Z',
          });
        case 'DescribeStackResourceDrifts':
          return ok(cfn, { StackResourceDrifts: script.drifts ?? [] });
        case 'GetTemplate':
          return ok(cfn, { TemplateBody: JSON.stringify(script.template ?? {}) });
        default:
          return error(400, cfn, 'InvalidAction', `the stand-in does not serve ${action}`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    assumed,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
