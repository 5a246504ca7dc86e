export interface InitGeneratorSchema {
  /** The directory holding build/pkgs, relative to the workspace root. @default '.' */
  sageRoot?: string;
  /** nx.json `parallel` (written only when nx.json has none): how many tasks Nx runs at once (cache lookups and no-op installs included; real builds are limited by the build slots, NX_SAGE_BUILD_SLOTS). @default 32 */
  parallel?: number;
  /** nx.json `cacheDirectory` (written only when given and nx.json has none). Nx's default is fine for most. */
  cacheDirectory?: string;
  /** Leave .gitignore and .nxignore alone. @default false */
  skipIgnoreFiles?: boolean;
}
