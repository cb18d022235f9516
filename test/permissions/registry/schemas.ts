// CloudFormation registry schemas of the resource types the app uses: what each handler calls, whether the type takes
// tags, and which properties replace it when they change. schemas.json is refreshed by extract.ts beside this file.
import data from './schemas.json';

export interface TypeSchema {
  /** `handlers.<h>.permissions`: the calls CloudFormation makes for that operation. */
  readonly handlers: Partial<Record<'create' | 'update' | 'delete', string[]>>;
  /** `tagging`: taggable, tagOnCreate, tagUpdatable and the tag permissions, where the schema gives them. */
  readonly tagging?: { readonly taggable?: boolean; readonly permissions?: string[] } & Record<string, unknown>;
  /** JSON pointers (/properties/X/...) whose change makes CloudFormation replace the resource. */
  readonly createOnlyProperties: string[];
}

export interface RegistrySchemas {
  /** Where the schemas came from: repository, commit and folder. */
  readonly source?: string;
  readonly types: Record<string, TypeSchema>;
}

export const REGISTRY: RegistrySchemas = data as RegistrySchemas;
