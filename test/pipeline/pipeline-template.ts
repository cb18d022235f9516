// Reading a synthesized pipeline stack: its stages, their actions, and the CodeBuild project behind an action.
import type { Template } from 'aws-cdk-lib/assertions';

/** One action of a pipeline stage, as CloudFormation declares it. */
export type Action = {
  Name: string;
  ActionTypeId: { Category: string; Provider: string };
  RunOrder: number;
  Configuration?: any;
  RoleArn?: any;
};

/** The pipeline's stages, in order. */
export function stagesOf(t: Template): Array<{ Name: string; Actions: Action[] }> {
  return Object.values(t.findResources('AWS::CodePipeline::Pipeline'))[0].Properties.Stages;
}
export const actionsIn = (t: Template, stage: string) => stagesOf(t).find((s) => s.Name === stage)!.Actions;
/** The CodeBuild project a CodeBuild action runs. */
export function projectFor(t: Template, action: Action) {
  const projects = t.findResources('AWS::CodeBuild::Project');
  return projects[action.Configuration.ProjectName.Ref].Properties;
}
