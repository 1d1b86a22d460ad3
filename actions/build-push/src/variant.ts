// What `paths` mean. They are git glob pathspecs (`:(top,glob)`), relative to the repository root
// (not to `context`):
//   src/features/**    every file under src/features, at any depth
//   *.py               the .py files at the repository root only: `*` never crosses a `/`
//   **/*.py            every .py file; `src/**/*.py` takes src/a.py as well as src/x/b.py
//   src/features       a name without wildcards: that file, or everything under that directory
//   src/feat*          wildcards match files only: src/feature.py, not the directory src/features
//                      (write src/feat*/** for that)
//   !**/*.md           a leading `!` excludes, whatever its place in the list
// Only files under the build context can be in the image, so a key counts only those: with
// `context: examples/service` the default is `examples/service/**`, and `**/*.js` means the .js
// files of that context. A pattern whose fixed directories lie outside the context is refused
// (the usual slip is writing it relative to the context). Files are those committed at HEAD: a
// file generated into the context before the build is not part of the key.

/** One image built from the Dockerfile: what it is made of and how it is tagged. */
export interface Variant {
  /** [a-z0-9][a-z0-9_.-]*, unique among the variants. */
  name: string;
  /** The Dockerfile stage to build; the last stage when absent. */
  target?: string;
  /** Non-secret build args only (secret-looking ones are refused: they stay in the image history). */
  buildArgs: Record<string, string>;
  /** Appended to every tag of this variant: '' or e.g. '-cuda'. */
  tagSuffix: string;
  /** git glob pathspecs relative to the repository root (see the top of this file). */
  paths: string[];
  /** e.g. ['linux/amd64']; empty: the builder's own platform. */
  platforms: string[];
}

/** How errors name a variant: `variants[1] (cuda)` when its position is known. */
export function variantLabel(variant: Pick<Variant, 'name'>, index?: number): string {
  return index === undefined ? `variant ${variant.name}` : `variants[${index}] (${variant.name})`;
}
