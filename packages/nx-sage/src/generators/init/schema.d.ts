export interface InitGeneratorSchema {
  /** The directory holding build/pkgs, relative to the workspace root. @default '.' */
  sageRoot?: string;
  /** nx.json `parallel` (written only when nx.json has none): how many packages build at once. @default 4 */
  parallel?: number;
  /** nx.json `cacheDirectory` (written only when given and nx.json has none). Nx's default is fine for most. */
  cacheDirectory?: string;
  /** Leave plugin isolation on: no NX_ISOLATE_PLUGINS=false in .env (lib/update-env-file.ts). @default false */
  keepPluginIsolation?: boolean;
  /** Leave .gitignore and .nxignore alone. @default false */
  skipIgnoreFiles?: boolean;
}
