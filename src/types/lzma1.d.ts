// lzma1 ships its TypeScript sources as its types (package.json "types": "./src/index.ts"), which
// tsc would type-check under our strict options. tsconfig.json "paths" points here instead: the one
// function we call, with the signature of lzma1 2.x's src/index.ts.
declare module 'lzma1' {
  export function decompress(data: Uint8Array | ArrayBuffer): Uint8Array;
}
