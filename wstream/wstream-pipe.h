/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (WSTREAM_INSIDE) && !defined (WSTREAM_COMPILATION)
# error "Only <wstream.h> can be included directly."
#endif

#include <gio/gio.h>

#include "wstream-version-macros.h"
#include "wstream-writable-stream.h"

G_BEGIN_DECLS

/**
 * WStreamPipeFlags:
 * @WSTREAM_PIPE_FLAGS_NONE: close the stream at the end of the input, abort
 *   it when reading fails or the pipe is cancelled
 * @WSTREAM_PIPE_FLAGS_PREVENT_CLOSE: leave the stream open at the end of the
 *   input (the Standard's `preventClose`)
 * @WSTREAM_PIPE_FLAGS_PREVENT_ABORT: do not abort the stream when reading
 *   fails or the pipe is cancelled (the Standard's `preventAbort`)
 * @WSTREAM_PIPE_FLAGS_BLOCKING_READS: read the input with the synchronous
 *   [method@Gio.InputStream.read_bytes] inside the main context, rather
 *   than asynchronously. For an input that is not pollable, such as a local
 *   file, this saves a hand-off to a GIO worker thread and back for each
 *   chunk, which costs about as much as reading 64 KiB from the page cache;
 *   the main context does nothing else while a read runs, so use it where
 *   that is acceptable (a command-line tool, a worker thread with its own
 *   context). A blocking read is cancelled only if @input honours the
 *   cancellable while it blocks.
 *
 * Options of [method@WStream.WritableStream.pipe_from_input_stream_async].
 */
typedef enum /*< flags,underscore_name=wstream_pipe_flags >*/ {
  WSTREAM_PIPE_FLAGS_NONE          = 0,
  WSTREAM_PIPE_FLAGS_PREVENT_CLOSE = 1 << 0,
  WSTREAM_PIPE_FLAGS_PREVENT_ABORT = 1 << 1,
  WSTREAM_PIPE_FLAGS_BLOCKING_READS = 1 << 2,
} WStreamPipeFlags;

/**
 * WSTREAM_PIPE_DEFAULT_CHUNK_SIZE:
 *
 * The size of the reads of [method@WStream.WritableStream.pipe_from_input_stream_async]
 * when it is given a chunk size of 0: 64 KiB.
 */
#define WSTREAM_PIPE_DEFAULT_CHUNK_SIZE (64 * 1024)

WSTREAM_AVAILABLE_IN_ALL
void     wstream_writable_stream_pipe_from_input_stream_async  (WStreamWritableStream  *self,
                                                                GInputStream           *input,
                                                                WStreamPipeFlags        flags,
                                                                gsize                   chunk_size,
                                                                int                     io_priority,
                                                                GCancellable           *cancellable,
                                                                GAsyncReadyCallback     callback,
                                                                gpointer                user_data);
WSTREAM_AVAILABLE_IN_ALL
gboolean wstream_writable_stream_pipe_from_input_stream_finish (WStreamWritableStream  *self,
                                                                GAsyncResult           *result,
                                                                guint64                *bytes_moved,
                                                                GError                **error);

G_END_DECLS
