// The version arithmetic lives in domain/ (execute/ needs it too); re-exported for app/facts.ts.
export { appServerVersionOf, javaVersionOf } from '../domain/versions.js';
