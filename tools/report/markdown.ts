// The report as Markdown, one function per section, and the few lines a terminal shows.
import type { Report } from './contents';
import { controlTowerSummary } from './control-tower';
import { PRICES, type EnvironmentCost } from './cost';
import { ACTION_OVERHEADS } from './critical-path';

const usd = (n: number) => `$${n.toFixed(2)}`;
const unitPrice = (n: number) => `$${n}`;
/** Text for a table cell: a pipe would end the cell. */
const cell = (text: string) => text.replace(/\|/g, '\\|');

function stagesSection(report: Report): string[] {
  const out = ['## Stages', '', '| stage | account | region | stack | resources |', '|---|---|---|---|---|'];
  for (const stage of report.stages) {
    for (const stack of stage.stacks) {
      const counts = Object.entries(stack.resourceCounts)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([t, n]) => `${t.replace(/^AWS::/, '')} ${n}`);
      out.push(
        `| ${stage.stage} | ${stack.account} | ${stack.region} | ${stack.stackName} | ${stack.resourceTotal}: ${counts.join(', ')} |`,
      );
    }
  }
  return out;
}

function diagramSection(report: Report): string[] {
  return ['', '## Diagram', '', '```mermaid', report.diagram, '```', ''];
}

function criticalPathSection(report: Report): string[] {
  const codeBuild = report.criticalPath.filter((a) => a.provider === 'CodeBuild');
  const installing = codeBuild.filter((a) => a.installs);
  return [
    '## Critical path to the first verified environment',
    '',
    `${report.criticalPath.length} sequential actions, ${codeBuild.length} of them CodeBuild; ` +
      `${installing.length} install packages (${installing.map((a) => a.name).join(', ') || 'none'}).`,
    '',
    '| # | stage | action | provider | installs |',
    '|---|---|---|---|---|',
    ...report.criticalPath.map(
      (a, i) =>
        `| ${i + 1} | ${a.stage} | ${a.name} | ${a.provider} | ${a.provider === 'CodeBuild' ? (a.installs ? 'yes' : 'no') : ''} |`,
    ),
    '',
    'Overheads this relies on:',
    ...ACTION_OVERHEADS.map((o) => `- ${o}`),
    '',
  ];
}

/** One environment's cost table, beside the same workload with a NAT gateway per AZ, and where the two cross. */
function environmentCost(name: string, cost: EnvironmentCost): string[] {
  const out = [
    `### ${name}`,
    '',
    '| item | quantity | with endpoints | with a NAT gateway per AZ instead |',
    '|---|---|---|---|',
  ];
  const items = [...new Set([...cost.lines, ...cost.withNatInstead.lines].map((l) => l.item))];
  for (const item of items) {
    const a = cost.lines.find((l) => l.item === item);
    const b = cost.withNatInstead.lines.find((l) => l.item === item);
    out.push(
      `| ${item} | ${a?.quantity ?? b?.quantity} ${(a ?? b)!.unit} | ${a ? usd(a.monthlyUsd) : '-'} | ${b ? usd(b.monthlyUsd) : '-'} |`,
    );
  }
  out.push(`| **total** | | **${usd(cost.monthlyUsd)}** | **${usd(cost.withNatInstead.monthlyUsd)}** |`, '');
  const perGb = `(${unitPrice(PRICES.interfaceEndpointGb)}/GB against ${unitPrice(PRICES.natGatewayGb)}/GB processed)`;
  if (cost.lines.some((l) => l.item.startsWith('Interface endpoints')))
    out.push(
      cost.endpointsCheaperAboveGb === 0
        ? `The endpoints cost less than NAT gateways at every data volume ${perGb}.`
        : `The endpoints cost less than NAT gateways above ${cost.endpointsCheaperAboveGb} GB a month through them ${perGb}.`,
    );
  if (cost.unpriced.length > 0) out.push('', `Not priced: ${cost.unpriced.join(', ')}.`);
  out.push('');
  return out;
}

function costSection(report: Report): string[] {
  return [
    `## Fixed monthly cost per environment`,
    '',
    `List prices for ${PRICES.region}, on demand, taken on ${PRICES.takenOn}, ${PRICES.hoursPerMonth} hours a month; data transfer and LCUs excluded.`,
    '',
    ...report.environments.flatMap((env) => environmentCost(env.name, env.cost)),
  ];
}

function rolloutSection(report: Report): string[] {
  const out = [
    '## Modelled rollout time',
    '',
    'From the moment the new tasks run. New version only: health-check interval × healthy threshold; blue/green adds ' +
      "the pre-traffic check's run (immediate when it passes at once, at most its deadline). Old tasks gone: that, " +
      'plus bake time (blue/green, canary, linear), deregistration delay and stop timeout. Canary adds its bake before the rest of the traffic moves; linear adds an interval before each step but the first. AWS defaults where a template leaves a value out.',
    '',
    '| stack | service | strategy | new version only (s) | old tasks gone (s) | dominated by |',
    '|---|---|---|---|---|---|',
  ];
  for (const stack of report.stages.flatMap((s) => s.stacks)) {
    for (const r of stack.rollouts) {
      const bake = r.strategy !== 'rolling' ? `${r.bakeTimeSeconds} + ` : '';
      const shift = r.trafficShiftSeconds > 0 ? ` + ${r.trafficShiftSeconds}` : '';
      out.push(
        `| ${stack.stackName} | ${r.service} | ${r.strategy} | ${r.toNewVersionSeconds} (${r.healthCheckIntervalSeconds} × ${r.healthyThresholdCount}${shift}) | ` +
          `${r.seconds} (${r.toNewVersionSeconds} + ${bake}${r.deregistrationDelaySeconds} + ${r.stopTimeoutSeconds}) | ${r.dominatedBy.oldTasksGone} |`,
      );
    }
  }
  return out;
}

function securitySection(report: Report): string[] {
  return [
    '',
    `## Security posture`,
    '',
    `${report.acknowledgements.length} cdk-nag (AwsSolutions) acknowledgements; every other finding fails synth.`,
    '',
    '| rule | resources | reason |',
    '|---|---|---|',
    ...report.acknowledgements.map((a) => `| ${cell(a.id)} | ${a.resources} | ${cell(a.reason)} |`),
  ];
}

function controlTowerSection(report: Report): string[] {
  return [
    '',
    '## AWS Control Tower proactive controls',
    '',
    `${controlTowerSummary(report.controlTower)}; an unacknowledged failure fails synth.`,
    '',
    '| control | rule | resources | status | reason |',
    '|---|---|---|---|---|',
    ...report.controlTower.map(
      (c) =>
        `| ${c.control} | ${c.rule} | ${c.resources} | ${
          c.acknowledged === 0 ? 'passed' : `acknowledged on ${c.acknowledged}`
        } | ${cell(c.reasons.map((r) => r.replace(`${c.control}: `, '')).join('<br>'))} |`,
    ),
  ];
}

const SECTIONS = [
  stagesSection,
  diagramSection,
  criticalPathSection,
  costSection,
  rolloutSection,
  securitySection,
  controlTowerSection,
];

export function reportMarkdown(report: Report): string {
  return `${['# Deployment plan', '', ...SECTIONS.flatMap((section) => section(report))].join('\n')}\n`;
}

/** The few lines a terminal shows. */
export function reportSummary(report: Report): string {
  const lines = report.environments.map(
    (e) =>
      `${e.name}: ${usd(e.cost.monthlyUsd)}/month fixed (${usd(e.cost.withNatInstead.monthlyUsd)} with NAT gateways instead)` +
      `, rollout ${
        e.stacks
          .flatMap((s) => s.rollouts)
          .map(
            (r) => `${r.strategy} ${r.toNewVersionSeconds} s to the new version, ${r.seconds} s to the old tasks gone`,
          )
          .join(', ') || 'n/a'
      }`,
  );
  lines.push(
    `${report.stages.flatMap((s) => s.stacks).length} stacks in ${report.stages.length} stages; ${report.acknowledgements.length} cdk-nag acknowledgements`,
    `Control Tower: ${controlTowerSummary(report.controlTower)}`,
  );
  return lines.join('\n');
}
