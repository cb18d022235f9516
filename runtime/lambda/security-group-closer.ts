/**
 * The handler of the custom resource that closes the VPC's default security group (DefaultSecurityGroupCloser in
 * stages/network), as CommonJS source: it goes into the template as is. It answers CloudFormation itself at the
 * ResponseURL (CloudFormation user guide, "Custom resource response objects"); the Node.js runtime bundles the AWS
 * SDK v3.
 */
export const CLOSER_CODE = `
const { EC2Client, DescribeSecurityGroupsCommand, RevokeSecurityGroupIngressCommand, RevokeSecurityGroupEgressCommand } = require('@aws-sdk/client-ec2');
const ec2 = new EC2Client({ maxAttempts: 5 });
const strip = (p) => ({ ...p, UserIdGroupPairs: (p.UserIdGroupPairs || []).map(({ GroupId, UserId }) => ({ GroupId, UserId })) });
async function close(groupId) {
  const { SecurityGroups: [group] } = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
  if (group.IpPermissions.length) await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: group.IpPermissions.map(strip) }));
  if (group.IpPermissionsEgress.length) await ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: group.IpPermissionsEgress.map(strip) }));
}
async function answer(event, status, reason) {
  const body = JSON.stringify({ Status: status, Reason: reason, PhysicalResourceId: event.ResourceProperties.DefaultSecurityGroupId,
    StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId });
  await fetch(event.ResponseURL, { method: 'PUT', body, headers: { 'content-type': '' }, signal: AbortSignal.timeout(10000) });
}
exports.handler = async (event) => {
  try {
    if (event.RequestType !== 'Delete') await close(event.ResourceProperties.DefaultSecurityGroupId);
    await answer(event, 'SUCCESS', 'default security group closed');
  } catch (error) {
    console.error(error);
    await answer(event, 'FAILED', String(error.message || error).slice(0, 200));
  }
};
`.trim();
