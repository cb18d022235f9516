// The pipeline's S3 source as `npm run deploy` uses it: each upload is a commit's git archive, named in the object's
// metadata, so that a rollback can start the pipeline again on the version that already holds a commit.
import { HeadObjectCommand, ListObjectVersionsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { fromIni } from '@aws-sdk/credential-providers';
import { SOURCE_OBJECT_KEY } from '../../config/names';
import { AWS_CLIENT_BOUNDS, awsCall, boundedClient, type AwsClientBounds } from '../cli/aws';
import { CommandError } from '../cli/command';
import { git } from './deploy-git';

/** The upload of the source zip gets longer per attempt than a plain call: it carries megabytes. */
export const UPLOAD_BOUNDS: AwsClientBounds = { ...AWS_CLIENT_BOUNDS, requestTimeoutMs: 120_000 };

/** The newest versions of the source object a rollback looks through for its commit, a few at a time. */
const MAX_VERSIONS_SEARCHED = 200;
const HEADS_AT_ONCE = 8;

/** A version of the source object that holds a commit. */
export interface KeptVersion {
  readonly versionId: string;
  readonly lastModified?: Date;
}

/**
 * The newest version of the source object whose metadata names the commit (deploy writes it on every upload), if
 * the bucket still keeps one; undefined otherwise. Bounded: a few pages of versions, at most MAX_VERSIONS_SEARCHED
 * read, newest first.
 */
export async function findKeptVersion(
  s3: Pick<S3Client, 'send'>,
  bucket: string,
  key: string,
  commit: string,
): Promise<KeptVersion | undefined> {
  const versions: KeptVersion[] = [];
  let markers: { KeyMarker?: string; VersionIdMarker?: string } = {};
  for (let page = 0; page < 5 && versions.length < MAX_VERSIONS_SEARCHED; page++) {
    const out = await awsCall('S3 ListObjectVersions', () =>
      s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key, ...markers })),
    );
    for (const v of out.Versions ?? []) {
      if (v.Key === key && v.VersionId) versions.push({ versionId: v.VersionId, lastModified: v.LastModified });
    }
    if (!out.IsTruncated) break;
    markers = { KeyMarker: out.NextKeyMarker, VersionIdMarker: out.NextVersionIdMarker };
  }
  versions.sort((a, b) => (b.lastModified?.getTime() ?? 0) - (a.lastModified?.getTime() ?? 0));
  const candidates = versions.slice(0, MAX_VERSIONS_SEARCHED);
  for (let i = 0; i < candidates.length; i += HEADS_AT_ONCE) {
    const batch = candidates.slice(i, i + HEADS_AT_ONCE);
    const heads = await Promise.all(
      batch.map((v) =>
        awsCall('S3 HeadObject', () =>
          s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, VersionId: v.versionId })),
        ),
      ),
    );
    const found = batch.find((_, j) => heads[j].Metadata?.commit === commit);
    if (found) return found;
  }
  return undefined;
}

/** Uploads a commit's git archive as the source object, naming the commit in its metadata; returns the version. */
export async function uploadCommit(
  bucket: string,
  commit: string,
  clientConfig: { region: string; credentials: ReturnType<typeof fromIni> | undefined },
): Promise<string> {
  const archive = git(['archive', '--format=zip', commit], 'git archive');
  const upload = await awsCall('S3 PutObject', () =>
    boundedClient(S3Client, clientConfig, UPLOAD_BOUNDS).send(
      new PutObjectCommand({ Bucket: bucket, Key: SOURCE_OBJECT_KEY, Body: archive, Metadata: { commit } }),
    ),
  ).catch((e: Error) => {
    throw new CommandError(`${e.message} (s3://${bucket}/${SOURCE_OBJECT_KEY}); nothing was started`);
  });
  if (!upload.VersionId) throw new CommandError(`s3://${bucket} returned no object version; is versioning on?`);
  console.log(`uploaded ${commit} (${archive.length} bytes) as version ${upload.VersionId}`);
  return upload.VersionId;
}
