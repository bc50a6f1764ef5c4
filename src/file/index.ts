/** The file layer: progressive HTTP download and local Blob sources. */
export { ProgressiveSource } from './progressive-source.js';
export { BlobSource } from './blob-source.js';
export { FILE_DEFAULTS, type DownloadProgress, type ProgressiveSourceOptions } from './file-options.js';
