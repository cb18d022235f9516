import { s3BucketNameProblem } from '../../config/load';
import { sourceBucketName } from '../../config/names';
import { EXAMPLE_ZONE, configWith } from '../helpers/cdk';
import { EXAMPLE_UUID, OUTSIDE_ACCOUNT, PRODUCTION_ACCOUNT, REGION, TOOLING_ACCOUNT } from '../helpers/constants';
import { errorFor, expectFieldError } from './config-errors';

describe('config rules across fields', () => {
  test.each([
    [
      'a CIDR with host bits',
      (j: any) => (j.network.vpcCidr = '10.0.0.1/16'),
      'network.vpcCidr',
      '"10.0.0.1/16"',
      'expected "10.0.0.0/16", the network address, no host bits set',
    ],
    [
      'a CIDR with leading zeros, which AWS would read as another block',
      (j: any) => (j.network.vpcCidr = '010.0.0.0/16'),
      'network.vpcCidr',
      '"010.0.0.0/16"',
      'expected "10.0.0.0/16", the same block without leading zeros',
    ],
    [
      'a CIDR with leading zeros and host bits',
      (j: any) => (j.network.vpcCidr = '10.00.1.0/16'),
      'network.vpcCidr',
      '"10.00.1.0/16"',
      'expected "10.0.0.0/16", the network address',
    ],
    [
      'a project name whose source bucket has the reserved prefix xn--',
      (j: any) => (j.projectName = 'xn--app'),
      'projectName',
      '"xn--app"',
      `bucket "xn--app-source-${TOOLING_ACCOUNT}" S3 accepts: S3 reserves the prefix xn--`,
    ],
    [
      'a project name whose source bucket has the reserved prefix sthree-',
      (j: any) => (j.projectName = 'sthree-app'),
      'projectName',
      '"sthree-app"',
      'S3 reserves the prefix sthree-',
    ],
    [
      'a project name whose source bucket has the reserved prefix amzn-s3-demo-',
      (j: any) => (j.projectName = 'amzn-s3-demo-app'),
      'projectName',
      '"amzn-s3-demo-app"',
      'S3 reserves the prefix amzn-s3-demo-',
    ],
    [
      'a certificate ARN of the aws partition for a China region',
      (j: any) => (
        (j.region = 'cn-north-1'),
        (j.network.certificateArn = `arn:aws:acm:cn-north-1:${PRODUCTION_ACCOUNT}:certificate/${EXAMPLE_UUID}`)
      ),
      'network.certificateArn',
      '"arn:aws:acm:cn-north-1:333333333333:certificate/11111111-2…;',
      'expected an ARN in partition aws-cn, the partition of region cn-north-1',
    ],
    [
      'a certificate ARN of the aws-cn partition for a commercial region',
      (j: any) =>
        (j.network.certificateArn = `arn:aws-cn:acm:${REGION}:${PRODUCTION_ACCOUNT}:certificate/${EXAMPLE_UUID}`),
      'network.certificateArn',
      `"arn:aws-cn:acm:${REGION}:${PRODUCTION_ACCOUNT}:certificate/`,
      `expected an ARN in partition aws, the partition of region ${REGION}`,
    ],
    [
      'an approval topic of another partition',
      (j: any) => (j.pipeline.approvalTopicArn = `arn:aws-us-gov:sns:${REGION}:${TOOLING_ACCOUNT}:approvals`),
      'pipeline.approvalTopicArn',
      `"arn:aws-us-gov:sns:${REGION}:${TOOLING_ACCOUNT}:approvals"`,
      'partition aws',
    ],
    [
      'a CIDR too small for 4 subnets',
      (j: any) => (j.network.vpcCidr = '10.0.0.0/26'),
      'network.vpcCidr',
      '"10.0.0.0/26"',
      '4 subnets',
    ],
    [
      'a memory that does not match the cpu',
      (j: any) => (j.service.memoryMiB = 4096),
      'service.memoryMiB',
      '4096',
      'for cpu 256: one of 512, 1024, 2048',
    ],
    [
      'a memory off the step for its cpu',
      (j: any) => ((j.service.cpu = 1024), (j.service.memoryMiB = 2500)),
      'service.memoryMiB',
      '2500',
      'for cpu 1024: 2048 to 8192 in steps of 1024',
    ],
    ['a max count below the desired count', (j: any) => (j.service.maxCount = 1), 'service.maxCount', '1', 'at least'],
    [
      'duplicate environment names',
      (j: any) => j.environments.push({ ...j.environments[0] }),
      'environments[1].name',
      '"production"',
      'no other',
    ],
    [
      'a certificate without a domain name, which could only be served on the load balancer name',
      (j: any) =>
        (j.network.certificateArn = `arn:aws:acm:${REGION}:${PRODUCTION_ACCOUNT}:certificate/${EXAMPLE_UUID}`),
      'field "network.certificateArn"',
      `"arn:aws:acm:${REGION}:${PRODUCTION_ACCOUNT}:certificate/${EXAMPLE_UUID.slice(0, 11)}`,
      "expected it with network.domainName, the host name the certificate covers: no certificate can cover the load balancer's own DNS name, for environment production",
    ],
    [
      'a certificate of another account than the environment',
      (j: any) => (
        (j.network.domainName = 'www.example.com'),
        (j.network.certificateArn = `arn:aws:acm:${REGION}:${OUTSIDE_ACCOUNT}:certificate/${EXAMPLE_UUID}`)
      ),
      'field "network.certificateArn"',
      `"arn:aws:acm:${REGION}:${OUTSIDE_ACCOUNT}:`,
      `expected a certificate in the environment's account ${PRODUCTION_ACCOUNT}, for environment production`,
    ],
    [
      'a certificate of another region',
      (j: any) => (
        (j.network.domainName = 'www.example.com'),
        (j.network.certificateArn = `arn:aws:acm:us-east-1:${PRODUCTION_ACCOUNT}:certificate/${EXAMPLE_UUID}`)
      ),
      'field "network.certificateArn"',
      `"arn:aws:acm:us-east-1:${PRODUCTION_ACCOUNT}:`,
      `expected a certificate in the workload region ${REGION}, for environment production`,
    ],
    [
      'a hosted zone without a domain name',
      (j: any) => (j.network.hostedZone = EXAMPLE_ZONE),
      'field "network.hostedZone"',
      '{"id":"Z0123456789ABCDEFGHIJ","name":"example.com"}',
      "expected it with network.domainName, the name the zone's alias record points at the load balancer",
    ],
    [
      'a domain name outside its hosted zone',
      (j: any) => ((j.network.domainName = 'www.example.org'), (j.network.hostedZone = EXAMPLE_ZONE)),
      'field "network.domainName"',
      '"www.example.org"',
      'expected a name inside the hosted zone example.com (example.com itself or *.example.com), for environment production',
    ],
    [
      'a domain name that only ends like the zone',
      (j: any) => ((j.network.domainName = 'notexample.com'), (j.network.hostedZone = EXAMPLE_ZONE)),
      'field "network.domainName"',
      '"notexample.com"',
      'expected a name inside the hosted zone example.com',
    ],
    [
      'a domain name too long for the certificate the stack requests',
      (j: any) => ((j.network.domainName = `${'a'.repeat(60)}.example.com`), (j.network.hostedZone = EXAMPLE_ZONE)),
      'field "network.domainName"',
      '"aaaaaaaaaa',
      'expected at most 64 characters for the certificate the stack requests, or give network.certificateArn, for environment production',
    ],
  ])('fails when given %s', expectFieldError);

  test('reports every cross-field mistake too, such as a bad CIDR and a topic in another account', () => {
    const message = errorFor((j) => {
      j.network.vpcCidr = '10.0.0.1/16';
      j.pipeline.approvalTopicArn = `arn:aws:sns:${REGION}:${OUTSIDE_ACCOUNT}:approvals`;
    });
    expect(message).toBe(
      'deploy.json: 2 problems: (1) field "network.vpcCidr" is "10.0.0.1/16"; expected "10.0.0.0/16", the network ' +
        'address, no host bits set; (2) field "pipeline.approvalTopicArn" is ' +
        `"arn:aws:sns:${REGION}:${OUTSIDE_ACCOUNT}:approvals"; expected a topic in the tooling account ${TOOLING_ACCOUNT}, where ` +
        'the pipeline runs',
    );
  });
});

describe('S3 bucket names', () => {
  test('the config derives the source bucket name exactly as the pipeline names it', () => {
    const config = configWith();
    expect(sourceBucketName(config)).toBe(`${config.projectName}-source-${config.toolingAccount}`);
  });

  test('accepts the default source bucket name', () => {
    expect(s3BucketNameProblem(`hello-privatelink-source-${TOOLING_ACCOUNT}`)).toBeUndefined();
  });

  test.each([
    ['ab', 'S3 allows 3 to 63 characters, not 2'],
    ['a'.repeat(64), 'S3 allows 3 to 63 characters, not 64'],
    ['My-bucket', 'only lowercase letters'],
    ['bucket-', 'only lowercase letters'],
    ['my..bucket', 'two adjacent dots'],
    ['192.168.5.4', 'IP address'],
    ['xn--bucket', 'prefix xn--'],
    ['sthree-bucket', 'prefix sthree-'],
    ['amzn-s3-demo-bucket', 'prefix amzn-s3-demo-'],
    ['bucket-s3alias', 'suffix -s3alias'],
    ['bucket--ol-s3', 'suffix --ol-s3'],
    ['bucket.mrap', 'suffix .mrap'],
    ['bucket--x-s3', 'suffix --x-s3'],
    ['bucket--table-s3', 'suffix --table-s3'],
  ])('fails for %s', (name, expected) => {
    expect(s3BucketNameProblem(name)).toContain(expected);
  });
});
