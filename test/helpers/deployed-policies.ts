import { createHash } from 'node:crypto';
// The policies of a synthesized template as they would stand once deployed: intrinsic functions resolved for the
// stack's account and region, and every physical name CloudFormation would give a resource.
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EXAMPLE_UUID } from './constants';

type Json = any;

/** A template with everything needed to resolve its values as deployed. */
export class DeployedStack {
  readonly template: Record<string, Json>;
  readonly resources: Record<string, { Type: string; Properties?: Json }>;
  readonly account: string;
  readonly region: string;
  readonly stackName: string;

  constructor(template: Record<string, Json>, account: string, region: string, stackName: string) {
    this.template = template;
    this.resources = template.Resources;
    this.account = account;
    this.region = region;
    this.stackName = stackName;
  }

  static of(stack: Stack): DeployedStack {
    return new DeployedStack(Template.fromStack(stack).toJSON(), stack.account, stack.region, stack.stackName);
  }

  /**
   * The physical name CloudFormation gives a resource without a name: the stack name, the logical id and a random
   * suffix, cut to IAM's 64 characters from the end, so a name keeps the start of its stack name.
   */
  generatedName(logicalId: string): string {
    return `${this.stackName}-${logicalId}`.slice(0, 51) + '-ABCDEFGHIJKL';
  }

  /** The physical name of a resource: the name its properties give it, or the generated one. */
  physicalName(logicalId: string): string {
    const resource = this.resources[logicalId];
    const props = resource.Properties ?? {};
    // A type's name property is named after the type (RoleName, BucketName, LogGroupName, FunctionName), else Name.
    const given = props[`${resource.Type.split('::')[2]}Name`] ?? props.Name;
    const resolved = given === undefined ? undefined : this.resolve(given);
    return typeof resolved === 'string' ? resolved : this.generatedName(logicalId);
  }

  /** The ARN a resource would have. */
  arnOf(logicalId: string): string {
    const { Type } = this.resources[logicalId];
    const name = this.physicalName(logicalId);
    const [p, r, a] = ['aws', this.region, this.account];
    const arns: Record<string, string> = {
      'AWS::IAM::Role': `arn:${p}:iam::${a}:role/${name}`,
      'AWS::IAM::InstanceProfile': `arn:${p}:iam::${a}:instance-profile/${name}`,
      'AWS::IAM::Policy': `arn:${p}:iam::${a}:role/${this.resolve(this.resources[logicalId].Properties?.Roles?.[0])}`,
      'AWS::IAM::OIDCProvider': `arn:${p}:iam::${a}:oidc-provider/token.actions.githubusercontent.com`,
      'AWS::S3::Bucket': `arn:${p}:s3:::${name.toLowerCase()}`,
      'AWS::S3::BucketPolicy': `arn:${p}:s3:::${this.resolve(this.resources[logicalId].Properties?.Bucket)}`,
      'AWS::ECR::Repository': `arn:${p}:ecr:${r}:${a}:repository/${name}`,
      'AWS::Lambda::Function': `arn:${p}:lambda:${r}:${a}:function:${name}`,
      // FunctionName takes a name or an ARN.
      'AWS::Lambda::Permission': String(this.resolve(this.resources[logicalId].Properties?.FunctionName)).replace(
        /^(?!arn:)/,
        `arn:${p}:lambda:${r}:${a}:function:`,
      ),
      'AWS::CertificateManager::Certificate': `arn:${p}:acm:${r}:${a}:certificate/${EXAMPLE_UUID}`,
      'AWS::Route53::RecordSet': `arn:${p}:route53:::hostedzone/${this.resources[logicalId].Properties?.HostedZoneId}`,
      'AWS::SSM::Parameter': `arn:${p}:ssm:${r}:${a}:parameter${name}`,
      'AWS::CodePipeline::Pipeline': `arn:${p}:codepipeline:${r}:${a}:${name}`,
      'AWS::CodeBuild::Project': `arn:${p}:codebuild:${r}:${a}:project/${name}`,
      'AWS::KMS::Key': `arn:${p}:kms:${r}:${a}:key/${EXAMPLE_UUID}`,
      'AWS::KMS::Alias': `arn:${p}:kms:${r}:${a}:${name}`,
      'AWS::Logs::LogGroup': `arn:${p}:logs:${r}:${a}:log-group:${name}:*`,
      'AWS::SNS::Topic': `arn:${p}:sns:${r}:${a}:${name}`,
      'AWS::EC2::VPC': `arn:${p}:ec2:${r}:${a}:vpc/vpc-0123456789abcdef0`,
      'AWS::EC2::Subnet': `arn:${p}:ec2:${r}:${a}:subnet/subnet-0123456789abcdef0`,
      'AWS::EC2::RouteTable': `arn:${p}:ec2:${r}:${a}:route-table/rtb-0123456789abcdef0`,
      'AWS::EC2::Route': `arn:${p}:ec2:${r}:${a}:route-table/rtb-0123456789abcdef0`,
      'AWS::EC2::SubnetRouteTableAssociation': `arn:${p}:ec2:${r}:${a}:route-table/rtb-0123456789abcdef0`,
      'AWS::EC2::InternetGateway': `arn:${p}:ec2:${r}:${a}:internet-gateway/igw-0123456789abcdef0`,
      'AWS::EC2::VPCGatewayAttachment': `arn:${p}:ec2:${r}:${a}:internet-gateway/igw-0123456789abcdef0`,
      'AWS::EC2::SecurityGroup': `arn:${p}:ec2:${r}:${a}:security-group/sg-0123456789abcdef0`,
      'AWS::EC2::SecurityGroupIngress': `arn:${p}:ec2:${r}:${a}:security-group/sg-0123456789abcdef0`,
      'AWS::EC2::SecurityGroupEgress': `arn:${p}:ec2:${r}:${a}:security-group/sg-0123456789abcdef0`,
      'AWS::EC2::VPCEndpoint': `arn:${p}:ec2:${r}:${a}:vpc-endpoint/vpce-0123456789abcdef0`,
      'AWS::EC2::FlowLog': `arn:${p}:ec2:${r}:${a}:vpc-flow-log/fl-0123456789abcdef0`,
      'AWS::EC2::Instance': `arn:${p}:ec2:${r}:${a}:instance/i-0123456789abcdef0`,
      'AWS::EC2::LaunchTemplate': `arn:${p}:ec2:${r}:${a}:launch-template/lt-0123456789abcdef0`,
      'AWS::ECS::Cluster': `arn:${p}:ecs:${r}:${a}:cluster/${name}`,
      'AWS::ECS::Service': `arn:${p}:ecs:${r}:${a}:service/cluster/${name}`,
      'AWS::ECS::TaskDefinition': `arn:${p}:ecs:${r}:${a}:task-definition/${name}:1`,
      'AWS::ElasticLoadBalancingV2::LoadBalancer': `arn:${p}:elasticloadbalancing:${r}:${a}:loadbalancer/app/${name.slice(0, 32)}/0123456789abcdef`,
      'AWS::ElasticLoadBalancingV2::TargetGroup': `arn:${p}:elasticloadbalancing:${r}:${a}:targetgroup/${name.slice(0, 32)}/0123456789abcdef`,
      'AWS::ElasticLoadBalancingV2::Listener': `arn:${p}:elasticloadbalancing:${r}:${a}:listener/app/alb/0123456789abcdef/0123456789abcdef`,
      // Each rule its own id, so a policy on one rule can be told from a policy on another.
      'AWS::ElasticLoadBalancingV2::ListenerRule': `arn:${p}:elasticloadbalancing:${r}:${a}:listener-rule/app/alb/0123456789abcdef/0123456789abcdef/${createHash('sha256').update(logicalId).digest('hex').slice(0, 16)}`,
      'AWS::CloudWatch::Alarm': `arn:${p}:cloudwatch:${r}:${a}:alarm:${name}`,
      'AWS::Events::Rule': `arn:${p}:events:${r}:${a}:rule/${name}`,
      'AWS::ApplicationAutoScaling::ScalableTarget': `arn:${p}:application-autoscaling:${r}:${a}:scalable-target/0123456789abcdef`,
      'AWS::ApplicationAutoScaling::ScalingPolicy': `arn:${p}:application-autoscaling:${r}:${a}:scalable-target/0123456789abcdef`,
    };
    return arns[Type] ?? `arn:${p}:${Type.split('::')[1].toLowerCase()}:${r}:${a}:${logicalId.toLowerCase()}/${name}`;
  }

  /** Resolves Ref, Fn::GetAtt (Arn), Fn::Join, Fn::Sub and Fn::Select against the deployed names. */
  resolve(value: Json): Json {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (value === null || typeof value !== 'object') return value;
    const [key] = Object.keys(value);
    const arg = value[key];
    const pseudo: Record<string, string> = {
      'AWS::Partition': 'aws',
      'AWS::Region': this.region,
      'AWS::AccountId': this.account,
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': this.stackName,
    };
    if (key === 'Ref') {
      if (arg in pseudo) return pseudo[arg];
      // Ref gives the name of most resources, and the ARN of these (CloudFormation user guide, each type's Ref).
      const refIsArn = [
        'AWS::IAM::OIDCProvider',
        'AWS::IAM::ManagedPolicy',
        'AWS::ElasticLoadBalancingV2::LoadBalancer',
        'AWS::ElasticLoadBalancingV2::TargetGroup',
        'AWS::ElasticLoadBalancingV2::Listener',
        'AWS::ElasticLoadBalancingV2::ListenerRule',
      ];
      if (refIsArn.includes(this.resources[arg]?.Type)) return this.arnOf(arg);
      if (this.resources[arg]) return this.physicalName(arg);
      const parameter = this.template.Parameters?.[arg];
      if (parameter?.Default !== undefined) return parameter.Default;
      throw new Error(`cannot resolve Ref ${arg}`);
    }
    if (key === 'Fn::GetAtt') {
      const [logicalId, attribute] = typeof arg === 'string' ? arg.split('.') : arg;
      if (attribute === 'Arn') return this.arnOf(logicalId);
      return `${logicalId}.${attribute}`;
    }
    if (key === 'Fn::Join') return (this.resolve(arg[1]) as string[]).join(arg[0]);
    if (key === 'Fn::Select') return this.resolve(arg[1])[arg[0]];
    if (key === 'Fn::Sub') {
      const [text, vars] = typeof arg === 'string' ? [arg, {}] : arg;
      return text.replace(/\$\{([^}]+)\}/g, (_: string, name: string) =>
        name in vars
          ? this.resolve(vars[name])
          : this.resolve(name.includes('.') ? { 'Fn::GetAtt': name } : { Ref: name }),
      );
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolve(v)]));
  }

  /** Logical ids of the resources of one type. */
  ofType(type: string): string[] {
    return Object.keys(this.resources).filter((id) => this.resources[id].Type === type);
  }

  /** A role's identity policies as deployed: its inline policies and the AWS::IAM::Policy resources on it. */
  identityPolicies(roleId: string): Json[] {
    const inline = (this.resources[roleId].Properties?.Policies ?? []).map((p: Json) => this.resolve(p.PolicyDocument));
    const attached = this.ofType('AWS::IAM::Policy')
      .filter((id) => (this.resources[id].Properties.Roles ?? []).some((r: Json) => r.Ref === roleId))
      .map((id) => this.resolve(this.resources[id].Properties.PolicyDocument));
    return [...inline, ...attached];
  }

  /** The resource policy that also decides a request on this ARN: a key, bucket or repository policy. */
  resourcePolicyFor(arn: string): Json | undefined {
    for (const id of this.ofType('AWS::KMS::Key')) {
      if (this.arnOf(id) === arn) return this.resolve(this.resources[id].Properties.KeyPolicy);
    }
    for (const id of this.ofType('AWS::ECR::Repository')) {
      if (this.arnOf(id) === arn) return this.resolve(this.resources[id].Properties.RepositoryPolicyText);
    }
    // A function's policy is the sum of its AWS::Lambda::Permission resources, as Lambda's GetPolicy shows it.
    const permissions = this.ofType('AWS::Lambda::Permission').filter((id) => this.arnOf(id) === arn);
    if (permissions.length > 0) {
      return {
        Version: '2012-10-17',
        Statement: permissions.map((id) => {
          const { Action, Principal, SourceArn } = this.resolve(this.resources[id].Properties);
          // A service principal is granted with the source it acts for (Lambda developer guide, "Using resource-based
          // policies in Lambda": AddPermission's SourceArn becomes an aws:SourceArn condition).
          if (/\.amazonaws\.com$/.test(Principal)) {
            return {
              Effect: 'Allow',
              Principal: { Service: Principal },
              Action,
              Resource: arn,
              ...(SourceArn && { Condition: { ArnLike: { 'aws:SourceArn': SourceArn } } }),
            };
          }
          const principal = /^\d{12}$/.test(Principal) ? `arn:aws:iam::${Principal}:root` : Principal;
          return { Effect: 'Allow', Principal: { AWS: principal }, Action, Resource: arn };
        }),
      };
    }
    for (const id of this.ofType('AWS::S3::BucketPolicy')) {
      const bucket = this.arnOf(id);
      if (arn === bucket || arn.startsWith(`${bucket}/`))
        return this.resolve(this.resources[id].Properties.PolicyDocument);
    }
    return undefined;
  }

  /** A role's trust policy. */
  trustPolicy(roleId: string): Json {
    return this.resolve(this.resources[roleId].Properties.AssumeRolePolicyDocument);
  }

  /** The boundary ARN a role carries. */
  boundaryOf(roleId: string): string | undefined {
    const boundary = this.resources[roleId].Properties?.PermissionsBoundary;
    return boundary === undefined ? undefined : this.resolve(boundary);
  }
}
