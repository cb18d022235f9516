import { defaultDelivery } from '../../helpers/default-delivery';
import { acknowledgementsIn, buildReport } from '../../../tools/report/contents';
import { controlTowerStatus, readValidationReport } from '../../../tools/report/control-tower';
import { reportMarkdown, reportSummary } from '../../../tools/report/markdown';
import type { CfnTemplate } from '../../../tools/report/rollout';
import { PRODUCTION_ACCOUNT, PROJECT_NAME, REGION, REGISTRY_ACCOUNT, TOOLING_ACCOUNT } from '../../helpers/constants';

describe('the report on the real app', () => {
  // GIVEN the default app, synthesized once for the run, read back through the cloud assembly API
  const { assembly } = defaultDelivery();
  const report = buildReport(assembly.directory);
  const markdown = reportMarkdown(report);

  test('lists the critical path to the first smoke test: 4 CodeBuild actions, none after Synth installing anything', () => {
    expect(report.criticalPath.map((a) => [a.name, a.provider, a.installs])).toEqual([
      ['Source', 'S3', false],
      ['Synth', 'CodeBuild', true],
      ['SelfMutate', 'CodeBuild', true],
      ['Registry.hello-privatelink-registry.Deploy', 'CloudFormation', false],
      ['Registry.PublishImage', 'CodeBuild', false],
      ['Approve-production', 'Manual', false],
      ['hello-privatelink-production-service.Deploy', 'CloudFormation', false],
      ['SmokeTest-production', 'CodeBuild', false],
    ]);
    expect(markdown).toContain('8 sequential actions, 4 of them CodeBuild; 2 install packages (Synth, SelfMutate).');
    expect(markdown).toContain('(aws/aws-cdk#14158, #23016)');
  });

  test('lists each stage with its account, region and stacks', () => {
    expect(markdown).toContain(`| Registry | ${REGISTRY_ACCOUNT} | ${REGION} | hello-privatelink-registry |`);
    expect(markdown).toContain(
      `| ProductionService | ${PRODUCTION_ACCOUNT} | ${REGION} | hello-privatelink-production-service |`,
    );
    expect(markdown).toContain(`| (app) | ${TOOLING_ACCOUNT} | ${REGION} | hello-privatelink-pipeline |`);
  });

  test('prices the default workload: 4 endpoints × 2 AZs, one ALB, 2 ARM tasks, the rollback alarms, no NAT', () => {
    const production = report.environments.find((e) => e.name === 'production')!;
    // ecr.api, ecr.dkr and logs: the blue/green check finds the load balancer through a relay outside the VPC.
    expect(production.cost.lines.map((l) => [l.item, l.quantity, l.monthlyUsd])).toEqual([
      ['Interface endpoints (3 services)', 6, 43.8],
      ['Application Load Balancer', 1, 16.43],
      ['Fargate ARM64: 2 tasks × 0.25 vCPU / 0.5 GB', 2, 14.42],
      // The default-group closer, the in-VPC verifier and the pre-traffic relay.
      ['Lambda functions (per invocation only)', 3, 0],
      // Two alarms per target group: a 5XX rate over 2 metrics, and unhealthy tasks: 6 alarm metrics at $0.10.
      ['CloudWatch alarms (4, deployment rollback)', 6, 0.6],
    ]);
    // At or below the 2-AZ floor of about $76 the design holds.
    expect(production.cost.monthlyUsd).toBe(75.24);
    expect(production.cost.withNatInstead.monthlyUsd).toBe(97.14);
  });

  test('draws accounts, the VPC with what runs in it, the traffic path and the image path in Mermaid', () => {
    expect(report.diagram.split('\n')[0]).toBe('flowchart LR');
    for (const label of [
      `Account ${REGISTRY_ACCOUNT}`,
      'ECR hello-privatelink',
      'production: VPC 10.0.0.0/16, 0 NAT',
      'ecr.api, ecr.dkr, logs',
      'ALB internet-facing, HTTP:80',
      'Fargate tasks × 2',
      `CodePipeline ${PROJECT_NAME}`,
      'GitHub OIDC roles',
    ]) {
      expect(report.diagram).toContain(label);
    }
    // Every node is connected: users to the name to the ALB to the tasks; the image; GitHub to the pipeline.
    for (const edge of [
      'users_production(["Internet users"]) --> name_production["ALB DNS name"]',
      'name_production -- "resolves" --> alb_production',
      'alb_production --> service_production',
      'endpoints_production -- "image, logs" --> service_production',
      'hello_privatelink_registry_repo -. "pull over PrivateLink" .-> endpoints_production',
      'hello_privatelink_pipeline_pipeline -- "push image" --> hello_privatelink_registry_repo',
      'hello_privatelink_pipeline_pipeline -. "post-deploy check" .-> name_production',
      'hello_privatelink_github_oidc_oidc -- "start" --> hello_privatelink_pipeline_pipeline',
    ]) {
      expect(report.diagram).toContain(edge);
    }
    // Internet-facing: the pipeline checks the service by its name; the verifier is ECS's hook, not the pipeline's.
    expect(report.diagram).toContain(
      'service_production -. "ECS lifecycle hook, before production traffic" .-> verifier_production',
    );
    expect(report.diagram).not.toMatch(/pipeline_pipeline .*-> verifier_production/);
    // The service box sits inside its VPC box: the VPC subgraph ends after the tasks.
    const lines = report.diagram.split('\n');
    const vpc = lines.findIndex((l) => l.includes('subgraph vpc_production'));
    const tasks = lines.findIndex((l) => l.includes('service_production["Fargate'));
    const end = lines.findIndex((l, i) => i > vpc && l.trim() === 'end');
    expect(vpc < tasks && tasks < end).toBe(true);
    expect(markdown).toContain('```mermaid\nflowchart LR');
  });

  test('models the rollout of the service', () => {
    expect(markdown).toContain('| hello-privatelink-production-service | Service');
    expect(markdown).toMatch(/\| blue-green \| 10 \(5 × 2\) \| 335 \(10 \+ 300 \+ 15 \+ 10\) \| the bake time \|/);
  });

  test('counts the cdk-nag acknowledgements, each with its reason', () => {
    const ids = report.acknowledgements.map((a) => a.id);
    expect(ids).toEqual(
      expect.arrayContaining(['AwsSolutions-EC23', 'AwsSolutions-S1', 'AwsSolutions-IAM5[Resource::*]']),
    );
    for (const a of report.acknowledgements) expect(a.reason.length).toBeGreaterThan(20);
    expect(markdown).toContain(`${report.acknowledgements.length} cdk-nag (AwsSolutions) acknowledgements`);
    expect(reportSummary(report)).toMatch(
      /^production: \$75\.24\/month fixed \(\$97\.14 with NAT gateways instead\), rollout blue-green 10 s to the new version, 335 s to the old tasks gone$/m,
    );
  });

  test('lists each Control Tower control that checks a resource here, as passed or acknowledged with its reason', () => {
    const status = (control: string) => report.controlTower.find((c) => c.control === control);
    // Fixed in this app: the container names its non-root user and a memory limit; the pipeline key fences grants.
    for (const control of ['CT.ECS.PR.3', 'CT.ECS.PR.7', 'CT.KMS.PR.3', 'CT.S3.PR.11', 'CT.CODEBUILD.PR.3']) {
      expect(status(control)).toMatchObject({ acknowledged: 0 });
      expect(status(control)!.resources).toBeGreaterThan(0);
    }
    // Acknowledged, on the one privileged project only.
    expect(status('CT.CODEBUILD.PR.4')).toMatchObject({ resources: 4, acknowledged: 1 });
    expect(status('CT.CODEBUILD.PR.4')!.reasons.join()).toContain('PublishImage');
    // No control for a resource type the app does not have.
    expect(status('CT.RDS.PR.1')).toBeUndefined();
    expect(markdown).toMatch(/\| CT\.ECS\.PR\.3 \| ecs_task_definition_nonroot_user_check \| 1 \| passed \|/);
    expect(markdown).toMatch(
      /\| CT\.S3\.PR\.9 \| s3_bucket_object_lock_enabled_check \| \d+ \| acknowledged on \d+ \| Lifecycle/,
    );
    expect(reportSummary(report)).toMatch(
      /^Control Tower: \d+ controls apply: \d+ passed, \d+ acknowledged on some resources$/m,
    );
  });

  test('refuses an assembly without the validation report, naming the file', () => {
    expect(() => controlTowerStatus([], { pluginReports: [] })).toThrow(/no successful cdk-validator-cfnguard run/);
    expect(() => readValidationReport('/nonexistent')).toThrow(
      /validation-report\.json does not exist; .*npm run synth/,
    );
  });

  test('reads acknowledgements from template metadata, ignoring other validators', () => {
    const acks = acknowledgementsIn([
      {
        Resources: {
          A: {
            Type: 'X',
            Metadata: {
              cdk_nag: {
                rules_to_suppress: [
                  { id: 'AwsSolutions-S1', reason: 'r1' },
                  { id: 'CloudFormation-Validate::W3010', reason: 'x' },
                ],
              },
            },
          },
          B: { Type: 'X', Metadata: { cdk_nag: { rules_to_suppress: [{ id: 'AwsSolutions-S1', reason: 'r1' }] } } },
        } as CfnTemplate['Resources'],
      },
    ]);
    expect(acks).toEqual([{ id: 'AwsSolutions-S1', reason: 'r1', resources: 2 }]);
  });
});
