// A vitest setup file: whatever a test file starts, by any means (Miniflare's workerd, a
// spawnSync), inherits the mark of this package, which the global teardown looks for.
import { OWNER_ENV } from '../proc.mjs';

process.env[OWNER_ENV] ||= process.cwd();
