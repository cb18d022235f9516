// How a post-deploy check reaches its target, read from the synthesized templates hop by hop: where the check runs,
// how it gets into the network, which routes, security group rules and listener let it through, and which name
// resolves to the load balancer. Each hop is verified; a hop that does not hold throws, naming it.

type Json = any;
type Template = { Resources: Record<string, Json>; Parameters?: Record<string, Json>; Outputs?: Record<string, Json> };

export interface CheckedEnvironment {
  readonly name: string;
  readonly account: string;
  readonly pipeline: Template;
  readonly network: Template;
  readonly service: Template;
}

const ofType = (t: Template, type: string) => Object.entries(t.Resources).filter(([, r]) => r.Type === type);

function fail(hop: string): never {
  throw new Error(`unreachable: ${hop}`);
}

/** The logical id a Ref or GetAtt points at, in the same template. */
function target(value: Json): string | undefined {
  return value?.Ref ?? value?.['Fn::GetAtt']?.[0];
}

/** The network stack resource a service stack value comes from, through the network stack output it reads. */
function fromNetwork(env: CheckedEnvironment, value: Json): string {
  const outputName = value?.['Fn::GetStackOutput']?.OutputName;
  const output =
    env.network.Outputs?.[outputName] ?? fail(`no network output ${outputName} behind ${JSON.stringify(value)}`);
  return target(output.Value) ?? fail(`output ${outputName} holds no network resource`);
}

function ipv4(cidr: string): [number, number] {
  const [address, prefix] = cidr.split('/');
  return [address.split('.').reduce((n, o) => n * 256 + Number(o), 0), Number(prefix)];
}

/** Whether CIDR `outer` holds CIDR `inner`. */
export function cidrContains(outer: string, inner: string): boolean {
  const [o, op] = ipv4(outer);
  const [i, ip] = ipv4(inner);
  const size = 2 ** (32 - op);
  return ip >= op && Math.floor(o / size) === Math.floor(i / size);
}

/** The step's CodeBuild project and its build commands. */
function checkStep(env: CheckedEnvironment): { id: string; project: Json; commands: string } {
  const [id, project] =
    ofType(env.pipeline, 'AWS::CodeBuild::Project').find(([id]) =>
      new RegExp(`SmokeTest${env.name}[0-9A-F]{8}$`).test(id),
    ) ?? fail(`no SmokeTest-${env.name} step in the pipeline`);
  return { id, project, commands: project.Properties.Source.BuildSpec };
}

/** The load balancer, its security group's ingress, and the listener on the URL's port. */
function loadBalancerEntry(env: CheckedEnvironment, port: number) {
  const [albId, alb] = ofType(env.network, 'AWS::ElasticLoadBalancingV2::LoadBalancer')[0];
  const listener =
    ofType(env.network, 'AWS::ElasticLoadBalancingV2::Listener').find(
      ([, l]) => target(l.Properties.LoadBalancerArn) === albId && l.Properties.Port === port,
    ) ?? fail(`no listener on port ${port}`);
  const groupId = target(alb.Properties.SecurityGroups[0])!;
  const ingress = (env.network.Resources[groupId].Properties.SecurityGroupIngress ?? []).filter(
    (r: Json) => r.IpProtocol === 'tcp' && r.FromPort <= port && r.ToPort >= port,
  );
  return { albId, alb, groupId, ingress, protocol: listener[1].Properties.Protocol as string };
}

/** The name in the URL and how it leads to the load balancer. */
function nameHop(env: CheckedEnvironment, url: Json, albId: string): string {
  const literal = typeof url === 'string' ? url : undefined;
  const scheme = env.network.Resources[albId].Properties.Scheme;
  const resolves = `resolves to its ${scheme === 'internal' ? 'private addresses, inside the VPC' : 'public addresses'}`;
  if (!literal) return `the load balancer's own DNS name ${resolves}`;
  const host = new URL(literal).hostname;
  const record = ofType(env.network, 'AWS::Route53::RecordSet').find(([, r]) => r.Properties.Name === `${host}.`);
  if (record) {
    // CDK writes the alias as dualstack.<DNSName of the load balancer>.
    const alias = JSON.stringify(record[1].Properties.AliasTarget.DNSName);
    if (!alias.includes(`{"Fn::GetAtt":["${albId}","DNSName"]}`)) fail(`${host}: its record points elsewhere`);
    return `${host}: alias A record in zone ${record[1].Properties.HostedZoneId} to the load balancer, which ${resolves}`;
  }
  const wanted = env.network.Outputs?.DnsRecordToCreate ?? fail(`${host}: no record, and none asked of the user`);
  // The output is `<domain> CNAME ` joined with the load balancer's DNS name.
  const wantedRecord = String(wanted.Value['Fn::Join'][1][0]).trim();
  return `${host}: the record the user creates (${wantedRecord} the load balancer), which ${resolves}`;
}

/** The hops from the check to the service, each verified; throws at the first that does not hold. */
export function checkPath(env: CheckedEnvironment): string[] {
  const step = checkStep(env);
  const url = env.network.Outputs!.ExternalUrl.Value;
  const https = JSON.stringify(url).includes('https://');
  const port = https ? 443 : 80;
  const entry = loadBalancerEntry(env, port);
  const viaFunction = /--via-function (\S+?)"/.exec(step.commands)?.[1];
  const hops: string[] = [];
  if (step.project.Properties.VpcConfig) fail('the check step runs in a VPC');

  if (!viaFunction) {
    hops.push(`CodeBuild SmokeTest-${env.name} in the tooling account, outside any VPC: on the internet`);
    hops.push(nameHop(env, url, entry.albId));
    if (entry.alb.Properties.Scheme !== 'internet-facing') fail('an internal load balancer checked from the internet');
    for (const subnet of entry.alb.Properties.Subnets.map(target)) {
      const association =
        ofType(env.network, 'AWS::EC2::SubnetRouteTableAssociation').find(
          ([, a]) => target(a.Properties.SubnetId) === subnet,
        ) ?? fail(`subnet ${subnet} has no route table`);
      const toInternet = ofType(env.network, 'AWS::EC2::Route').find(
        ([, r]) =>
          target(r.Properties.RouteTableId) === target(association[1].Properties.RouteTableId) &&
          r.Properties.DestinationCidrBlock === '0.0.0.0/0' &&
          env.network.Resources[target(r.Properties.GatewayId)!]?.Type === 'AWS::EC2::InternetGateway',
      );
      if (!toInternet) fail(`load balancer subnet ${subnet} has no route to an internet gateway`);
    }
    hops.push('internet-facing load balancer in public subnets, routed 0.0.0.0/0 to the internet gateway');
    if (!entry.ingress.some((r: Json) => r.CidrIp === '0.0.0.0/0'))
      fail(`the load balancer does not admit the internet on ${port}`);
    hops.push(`its security group admits 0.0.0.0/0 on ${port}; listener ${entry.protocol}:${port}`);
    return hops;
  }

  // Through the verifier: the step's role, the function's policy, its subnets and its security group.
  const [functionId, fn] =
    ofType(env.service, 'AWS::Lambda::Function').find(([, f]) =>
      viaFunction.endsWith(`:${env.account}:function:${f.Properties.FunctionName}`),
    ) ?? fail(`no function ${viaFunction} in the ${env.name} service stack`);
  const roleId = target(step.project.Properties.ServiceRole)!;
  const roleName = env.pipeline.Resources[roleId].Properties.RoleName ?? fail('the check role has no fixed name');
  const admitted = ofType(env.service, 'AWS::Lambda::Permission').some(
    ([, p]) =>
      target(p.Properties.FunctionName) === functionId &&
      p.Properties.Action === 'lambda:InvokeFunction' &&
      String(p.Properties.Principal).endsWith(`:role/${roleName}`),
  );
  if (!admitted) fail(`the verifier's policy does not admit role ${roleName}`);
  hops.push(
    `CodeBuild SmokeTest-${env.name} as role ${roleName} invokes ${fn.Properties.FunctionName} in ${env.account}, whose policy admits that role`,
  );
  const subnets = fn.Properties.VpcConfig.SubnetIds.map((s: Json) => fromNetwork(env, s));
  const albVpc = target(env.network.Resources[subnets[0]].Properties.VpcId);
  const cidrs: string[] = subnets.map((s: string) => env.network.Resources[s].Properties.CidrBlock);
  for (const s of [...subnets, ...entry.alb.Properties.Subnets.map(target)]) {
    if (target(env.network.Resources[s].Properties.VpcId) !== albVpc)
      fail('the verifier and the load balancer are in different VPCs');
  }
  hops.push(`the verifier runs in subnets ${cidrs.join(', ')} of the load balancer's VPC`);
  const functionGroup = target(fn.Properties.VpcConfig.SecurityGroupIds[0])!;
  const egress = ofType(env.service, 'AWS::EC2::SecurityGroupEgress').some(
    ([, e]) =>
      target(e.Properties.GroupId) === functionGroup &&
      e.Properties.FromPort <= port &&
      e.Properties.ToPort >= port &&
      fromNetwork(env, e.Properties.DestinationSecurityGroupId) === entry.groupId,
  );
  if (!egress) fail(`the verifier's security group has no egress to the load balancer's on ${port}`);
  hops.push(`its security group sends to the load balancer's security group on ${port}`);
  const admits = entry.ingress.find((r: Json) => r.CidrIp && cidrs.every((c) => cidrContains(r.CidrIp, c)));
  if (!admits) fail(`the load balancer does not admit the verifier's subnets on ${port}`);
  hops.push(`which admits ${admits.CidrIp} on ${port}, holding those subnets; listener ${entry.protocol}:${port}`);
  hops.push(nameHop(env, url, entry.albId));
  return hops;
}
