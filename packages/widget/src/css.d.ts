/** `.css` files are imported as their (minified) text; see build/esbuild-plugins.ts. */
declare module '*.css' {
  const text: string;
  export default text;
}
