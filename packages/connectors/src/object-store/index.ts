export { type LakeLocation, parseLakeUrl } from "./lake-location.js";
export { createLocalObjectStore, type LocalStoreOptions } from "./local-object-store.js";
export { openObjectStore } from "./open-object-store.js";
export { createS3ObjectStore, type S3StoreOptions } from "./s3-object-store.js";
