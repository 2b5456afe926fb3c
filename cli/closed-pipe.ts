// Writing to a closed pipe (`devpts-check … | head`) is not an error: the reader has
// what it wanted. One small module, so that a command needs none of the others for it.

const quieted = new WeakSet<NodeJS.WriteStream>();

export function quietOnClosedPipe(stream: NodeJS.WriteStream): void {
  if (quieted.has(stream)) return;
  quieted.add(stream);
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
}
