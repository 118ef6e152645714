// Preloaded into the memory check's gateway (`node --expose-gc --import` this file), not part of
// the gateway: on SIGUSR2 it runs a full garbage collection and prints `heap-used <bytes>`, the
// live heap, where a leak shows whatever V8's heap sizing does to RSS.
process.on('SIGUSR2', () => {
  globalThis.gc();
  globalThis.gc();
  console.log(`heap-used ${process.memoryUsage().heapUsed}`);
});
