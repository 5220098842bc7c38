// Keeps a 64 KiB buffer per "request" in a registry that nothing cleans: a native leak
// (Node allocates a Buffer's memory with malloc, outside V8's heap), beside buffers that
// are dropped at once (the garbage collector frees them). The first 1.5 s are a warm-up
// that keeps nothing, so that V8 has compiled the code by the time the leak begins: each
// tier calls the allocation through other glue, so its stacks differ.
const registry = [];

function rememberRequest(id) {
  registry.push(Buffer.allocUnsafeSlow(64 * 1024).fill(id & 255));
}

function churn() {
  let total = 0;
  for (let j = 0; j < 50; j++) total += Buffer.allocUnsafeSlow(4096).fill(j).length;
  return total;
}

const started = Date.now();
let id = 0;
const timer = setInterval(() => {
  const warming = Date.now() - started < 1500;
  for (let k = 0; k < (warming ? 40 : 4); k++) rememberRequest(id++);
  if (warming) registry.length = 0;
  churn();
  if (Date.now() - started > 4000) clearInterval(timer);
}, 10);
