import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';

/**
 * Deployment alarm thresholds, for a small service. 1-minute periods and 2 of 2 datapoints: one stray error or one
 * slow health check never rolls back a good version, while a version that keeps failing trips within about 3
 * minutes, inside the default bake time. A good version has no target 5XX at all (nginx serves static files), and
 * an old task being drained is "draining", not unhealthy, so neither alarm moves during a good rollout.
 *
 * Each alarm watches one target group, so it judges one version: during a deployment the old version serves from one
 * group and the new one from the other, and neither version's errors count against the other. A rate, not a count:
 * a canary's 20% share of a small service's traffic may bring 2 requests a minute, all failing, which no count
 * threshold fit for full traffic would catch; 3 requests a minute at least, so one failed request alone is not 100%.
 * An old version that already fails keeps its own group's alarm in ALARM from before the deployment; ECS fails a
 * deployment when an alarm "moves to the ALARM state" (ECS API reference, ServiceDeploymentAlarms), so the fix is not
 * rolled back for the old version's errors.
 */
export const DEPLOYMENT_ALARMS = {
  periodSeconds: 60,
  datapoints: 2,
  target5xxPercent: 10,
  minimumRequestsPerMinute: 3,
  unhealthyTasks: 1,
} as const;

export interface DeploymentAlarmsProps {
  readonly service: ecs.FargateService;
  /** The primary group first, then the alternate: each gets its own pair of alarms. */
  readonly targetGroups: readonly elbv2.ApplicationTargetGroup[];
  /** The load balancer's full name (app/<name>/<id>), a dimension of its metrics. */
  readonly loadBalancerFullName: string;
  /** @default - ECS alone acts on the alarms */
  readonly alarmTopicArn?: string;
}

/**
 * Rollback when the tasks answer 5XX or fail health checks while a deployment runs (bake time included). Built in the
 * stack's own scope (see ServiceStack).
 */
export class DeploymentAlarms {
  constructor(scope: Construct, props: DeploymentAlarmsProps) {
    const period = Duration.seconds(DEPLOYMENT_ALARMS.periodSeconds);
    const metric = (group: elbv2.ApplicationTargetGroup, metricName: string, statistic: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/ApplicationELB',
        metricName,
        statistic,
        period,
        dimensionsMap: { LoadBalancer: props.loadBalancerFullName, TargetGroup: group.targetGroupFullName },
      });
    const alarm = (id: string, alarmMetric: cloudwatch.IMetric, threshold: number, description: string) =>
      new cloudwatch.Alarm(scope, id, {
        metric: alarmMetric,
        threshold,
        evaluationPeriods: DEPLOYMENT_ALARMS.datapoints,
        datapointsToAlarm: DEPLOYMENT_ALARMS.datapoints,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // No requests means no errors, not an unknown state that would hold a deployment.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
    const alarms = props.targetGroups.flatMap((group, i) => {
      const which = i === 0 ? 'Primary' : 'Alternate';
      const errorRate = new cloudwatch.MathExpression({
        expression: `IF(r >= ${DEPLOYMENT_ALARMS.minimumRequestsPerMinute}, 100 * e / r, 0)`,
        label: `Target 5XX % (${which.toLowerCase()} group)`,
        period,
        usingMetrics: {
          e: metric(group, 'HTTPCode_Target_5XX_Count', 'Sum'),
          r: metric(group, 'RequestCount', 'Sum'),
        },
      });
      return [
        alarm(
          `Target5xxRate${which}`,
          errorRate,
          DEPLOYMENT_ALARMS.target5xxPercent,
          `The version in the ${which.toLowerCase()} target group answers 5XX: rolls a deployment back`,
        ),
        alarm(
          `UnhealthyTasks${which}`,
          metric(group, 'UnHealthyHostCount', 'Maximum'),
          DEPLOYMENT_ALARMS.unhealthyTasks,
          `A task in the ${which.toLowerCase()} target group fails its health check: rolls a deployment back`,
        ),
      ];
    });
    // ECS reads the alarms itself to roll back; a topic, when config names one, also tells people (CT.CLOUDWATCH.PR.1).
    if (props.alarmTopicArn) {
      const topic = sns.Topic.fromTopicArn(scope, 'AlarmTopic', props.alarmTopicArn);
      for (const a of alarms) {
        a.addAlarmAction(new cloudwatchActions.SnsAction(topic));
        a.addOkAction(new cloudwatchActions.SnsAction(topic));
      }
    }
    props.service.enableDeploymentAlarms(
      alarms.map((a) => a.alarmName),
      { behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM },
    );
  }
}
