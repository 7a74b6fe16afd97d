/**
 * Turns ONNX Runtime's telemetry off for this process. Imported for its side effect, before onnxruntime-node.
 *
 * onnxruntime-node 1.30 ships the 1DS telemetry client (core/platform/posix/telemetry.cc): when the runtime's
 * environment is created (the first InferenceSession), it queues events (a device id, the OS, the model file
 * names) in $XDG_CACHE_HOME/Microsoft/DeveloperTools/.onnxruntime/onnxruntime.db, writes /tmp/mat-debug-PID.log
 * and uploads to mobile.events.data.microsoft.com. The JavaScript API has no switch for it (`ort.env` has none,
 * and the binding does not expose the C API's DisableTelemetryEvents); the native library reads the environment
 * variable ORT_DISABLE_TELEMETRY ('0' or '1') when it creates that environment, so it is set here, always: the
 * films editors run through us are confidential, and nothing may leave the machine.
 */
process.env['ORT_DISABLE_TELEMETRY'] = '1';

export {};
