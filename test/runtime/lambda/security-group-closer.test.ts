// The inline function that closes the VPC's default security group, run as Lambda would run it, against moto's
// EC2 API, answering a CloudFormation response URL served here.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateVpcCommand, DescribeSecurityGroupsCommand, EC2Client, type SecurityGroup } from '@aws-sdk/client-ec2';
import { CLOSER_CODE } from '../../../runtime/lambda/security-group-closer';
import { REGION } from '../../helpers/constants';
import { loadInlineHandler } from '../../helpers/inline-lambda';
import { startMoto, type Moto } from '../../helpers/moto';

const loadHandler = () => loadInlineHandler<Record<string, unknown>, void>(CLOSER_CODE);

describe('the default security group closer (inline Lambda code)', () => {
  let moto: Moto | undefined;
  let responses: Server | undefined;
  const answers: Array<Record<string, string>> = [];
  let responseUrl = '';
  let ec2: EC2Client;
  const saved = { ...process.env };

  beforeAll(async () => {
    responses = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        answers.push(JSON.parse(body));
        response.end();
      });
    });
    await new Promise<void>((resolve) => responses!.listen(0, '127.0.0.1', resolve));
    responseUrl = `http://127.0.0.1:${(responses.address() as AddressInfo).port}/response`;
    moto = await startMoto();
    // What the Lambda environment provides: region and credentials; the endpoint is moto's.
    Object.assign(process.env, {
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_ENDPOINT_URL: moto.endpoint,
    });
    ec2 = new EC2Client({});
  });

  afterAll(async () => {
    process.env = saved;
    await Promise.all([moto?.stop(), new Promise((resolve) => (responses ? responses.close(resolve) : resolve(0)))]);
  });

  const event = (groupId: string, RequestType = 'Create') => ({
    RequestType,
    ResponseURL: responseUrl,
    StackId: `arn:aws:cloudformation:${REGION}:123456789012:stack/network/1`,
    RequestId: 'r1',
    LogicalResourceId: 'DefaultSecurityGroup',
    ResourceProperties: { DefaultSecurityGroupId: groupId },
  });
  const group = async (id: string): Promise<SecurityGroup> =>
    (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [id] }))).SecurityGroups![0];

  test('removes every ingress and egress rule, and answers SUCCESS', async () => {
    // GIVEN a new VPC, whose default group admits itself and sends anywhere
    const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' }));
    const groups = await ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: 'vpc-id', Values: [Vpc!.VpcId!] },
          { Name: 'group-name', Values: ['default'] },
        ],
      }),
    );
    const id = groups.SecurityGroups![0].GroupId!;
    const before = await group(id);
    expect(before.IpPermissions!.length + before.IpPermissionsEgress!.length).toBeGreaterThan(0);
    // WHEN CloudFormation creates the custom resource
    await loadHandler()(event(id));
    // THEN no rule is left, and CloudFormation hears of it
    const after = await group(id);
    expect([after.IpPermissions, after.IpPermissionsEgress]).toEqual([[], []]);
    expect(answers.pop()).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: id, RequestId: 'r1' });
  });

  test('answers FAILED with the reason when the group does not exist, and logs the error for its log group', async () => {
    // The handler logs the SDK error for the function's log group; here it is read, not printed into the test run.
    const logged = jest.spyOn(console, 'error').mockImplementation(() => {});
    try {
      await loadHandler()(event('sg-0000000000000dead'));
      expect(logged).toHaveBeenCalledTimes(1);
    } finally {
      logged.mockRestore();
    }
    const answer = answers.pop()!;
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(/sg-0000000000000dead|does not exist|InvalidGroup/);
  });
});
