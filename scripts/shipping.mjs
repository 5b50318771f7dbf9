// What a VSIX ships beside the bundles, read by build.mjs (what stays external), package.mjs (what is installed into
// the VSIX) and notices.mjs (whose licences ThirdPartyNotices.txt must carry).

/** Native addons: they cannot be bundled, so their packages ship for one target. */
export const NATIVE = ['sharp', 'onnxruntime-node'];

/**
 * Decoders that carry LGPL code: mpg123 (LGPL-2.1) compiled into decode-mp3, codec-parser (LGPL-3.0) into the
 * FLAC and Vorbis ones. They ship as the unmodified module files of their packages, imported at run time, so
 * that the MIT bundles hold none of it and a user can replace them (README, "Licences").
 */
export const RUNTIME_LOADED = ['@audio/decode-flac', '@audio/decode-mp3', '@audio/decode-vorbis'];

/** LGPL code inside packages whose own licence (MIT) does not say so, and the licence files that cover it. */
export const EMBEDDED_LGPL = {
  '@audio/decode-mp3': {
    what: 'mpg123, compiled to WebAssembly',
    license: 'LGPL-2.1-or-later',
    files: ['LGPL-2.1.txt'],
  },
  '@audio/decode-flac': { what: 'codec-parser', license: 'LGPL-3.0-or-later', files: ['LGPL-3.0.txt', 'GPL-3.0.txt'] },
  '@audio/decode-vorbis': {
    what: 'codec-parser',
    license: 'LGPL-3.0-or-later',
    files: ['LGPL-3.0.txt', 'GPL-3.0.txt'],
  },
};
