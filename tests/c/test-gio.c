/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GIO integration: the sink over a GOutputStream, the pipe from a
 * GInputStream, and the GOutputStream facade over a writable stream. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>
#include <glib-unix.h>

#include "test-util.h"

#define assert_log_empty() assert_log_impl (__FILE__, __LINE__, (const char *[]) { NULL })

#define KiB ((guint64) 1024)
#define MiB (1024 * KiB)

/* Sizes of the large copies; WSTREAM_TEST_GIO_SCALE divides them (for slow
 * builds such as ASan). */
static guint64 scale = 1;
#define LARGE(n) ((n) / scale)

/* ---------------------------------------------------------------------- */
/* Generated data: byte i of every test input is a function of i alone.    */
/* ---------------------------------------------------------------------- */

static inline guint64
splitmix64 (guint64 x)
{
  x += G_GUINT64_CONSTANT (0x9E3779B97F4A7C15);
  x = (x ^ (x >> 30)) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  x = (x ^ (x >> 27)) * G_GUINT64_CONSTANT (0x94D049BB133111EB);
  return x ^ (x >> 31);
}

static inline guint8
pattern_byte (guint64 offset)
{
  return (splitmix64 (offset >> 3) >> (8 * (offset & 7))) & 0xff;
}

static void
pattern_fill (guint8  *buf,
              guint64  offset,
              gsize    len)
{
  while (len > 0 && (offset & 7) != 0)
    {
      *buf++ = pattern_byte (offset++);
      len--;
    }
  while (len >= 8)
    {
      guint64 word = GUINT64_TO_LE (splitmix64 (offset >> 3));

      memcpy (buf, &word, 8);
      buf += 8;
      offset += 8;
      len -= 8;
    }
  while (len > 0)
    {
      *buf++ = pattern_byte (offset++);
      len--;
    }
}

static gboolean
pattern_check (const guint8 *buf,
               guint64       offset,
               gsize         len)
{
  guint8 scratch[16 * 1024];

  while (len > 0)
    {
      gsize n = MIN (len, sizeof scratch);

      pattern_fill (scratch, offset, n);
      if (memcmp (scratch, buf, n) != 0)
        return FALSE;
      buf += n;
      offset += n;
      len -= n;
    }
  return TRUE;
}

/* Bytes produced by the input streams minus bytes consumed by the output
 * streams, and the largest value it took: what the copy held in memory. */
static GMutex flow_lock;
static guint64 flow_produced, flow_consumed, flow_max_in_flight;

static void
flow_reset (void)
{
  g_mutex_lock (&flow_lock);
  flow_produced = flow_consumed = flow_max_in_flight = 0;
  g_mutex_unlock (&flow_lock);
}

static void
flow_add (guint64 produced,
          guint64 consumed)
{
  g_mutex_lock (&flow_lock);
  flow_produced += produced;
  flow_consumed += consumed;
  flow_max_in_flight = MAX (flow_max_in_flight, flow_produced - flow_consumed);
  g_mutex_unlock (&flow_lock);
}

static guint64
flow_get_max_in_flight (void)
{
  guint64 max;

  g_mutex_lock (&flow_lock);
  max = flow_max_in_flight;
  g_mutex_unlock (&flow_lock);
  return max;
}

/* Peak resident memory, reset first where the kernel allows it. */
static gboolean
reset_peak_rss (void)
{
  FILE *f = fopen ("/proc/self/clear_refs", "w");
  gboolean ok;

  if (f == NULL)
    return FALSE;
  ok = fputs ("5", f) >= 0;
  return fclose (f) == 0 && ok;
}

static guint64
read_status_kib (const char *field)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  line = strstr (status, field);
  if (line == NULL)
    return 0;
  return g_ascii_strtoull (line + strlen (field), NULL, 10);
}

/* ---------------------------------------------------------------------- */
/* PatternInputStream: generates the pattern; can fail or hang.            */
/* ---------------------------------------------------------------------- */

#define TEST_TYPE_PATTERN_INPUT (test_pattern_input_get_type ())
G_DECLARE_FINAL_TYPE (TestPatternInput, test_pattern_input, TEST, PATTERN_INPUT, GInputStream)

struct _TestPatternInput
{
  GInputStream parent_instance;
  guint64 size;
  guint64 pos;
  guint64 fail_at;          /* G_MAXUINT64: never */
  gboolean hang;            /* reads block until cancelled */
  gint reads_started;       /* atomic */
};

G_DEFINE_FINAL_TYPE (TestPatternInput, test_pattern_input, G_TYPE_INPUT_STREAM)

static gssize
test_pattern_input_read (GInputStream  *stream,
                         void          *buffer,
                         gsize          count,
                         GCancellable  *cancellable,
                         GError       **error)
{
  TestPatternInput *self = TEST_PATTERN_INPUT (stream);
  gsize n;

  g_atomic_int_inc (&self->reads_started);
  if (self->hang)
    {
      while (!g_cancellable_is_cancelled (cancellable))
        g_usleep (1000);
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;
  if (self->pos >= self->fail_at)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                   "input failed at %" G_GUINT64_FORMAT, self->pos);
      return -1;
    }

  n = MIN (count, self->size - self->pos);
  n = MIN (n, self->fail_at - self->pos);
  pattern_fill (buffer, self->pos, n);
  self->pos += n;
  flow_add (n, 0);
  return n;
}

static void
test_pattern_input_class_init (TestPatternInputClass *klass)
{
  G_INPUT_STREAM_CLASS (klass)->read_fn = test_pattern_input_read;
}

static void
test_pattern_input_init (TestPatternInput *self)
{
  self->fail_at = G_MAXUINT64;
}

static GInputStream *
pattern_input_new (guint64 size)
{
  TestPatternInput *self = g_object_new (TEST_TYPE_PATTERN_INPUT, NULL);

  self->size = size;
  return G_INPUT_STREAM (self);
}

/* ---------------------------------------------------------------------- */
/* VerifyOutput: checks that it receives the pattern; can fail or hang.    */
/* ---------------------------------------------------------------------- */

#define TEST_TYPE_VERIFY_OUTPUT (test_verify_output_get_type ())
G_DECLARE_FINAL_TYPE (TestVerifyOutput, test_verify_output, TEST, VERIFY_OUTPUT, GOutputStream)

typedef void (*VerifyHook) (TestVerifyOutput *self, gpointer data);

struct _TestVerifyOutput
{
  GOutputStream parent_instance;
  guint64 pos;
  guint64 fail_at;          /* G_MAXUINT64: never */
  gboolean mismatch;
  gboolean hang;            /* async writes stay pending until cancelled */
  gboolean write_pending;
  gboolean slow;            /* async writes finish from a low-priority idle */
  guint64 gate;             /* with slow: ... and only once this many bytes are
                             * in flight, or gate_total were produced */
  guint64 gate_total;
  guint n_closed;           /* atomic: close may run in a thread */
  guint n_flushed;
  VerifyHook on_write;      /* after each successful write */
  gpointer hook_data;
};

G_DEFINE_FINAL_TYPE (TestVerifyOutput, test_verify_output, G_TYPE_OUTPUT_STREAM)

static gssize
test_verify_output_write (GOutputStream  *stream,
                          const void     *buffer,
                          gsize           count,
                          GCancellable   *cancellable,
                          GError        **error)
{
  TestVerifyOutput *self = TEST_VERIFY_OUTPUT (stream);
  gsize n;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;
  if (self->pos >= self->fail_at)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   "no space left at %" G_GUINT64_FORMAT, self->pos);
      return -1;
    }
  n = MIN (count, self->fail_at - self->pos);
  if (!pattern_check (buffer, self->pos, n))
    self->mismatch = TRUE;
  self->pos += n;
  flow_add (0, n);
  if (self->on_write != NULL)
    self->on_write (self, self->hook_data);
  return n;
}

typedef struct {
  GTask  *task;
  gulong  handler;
} HangingWrite;

static gboolean
hanging_write_cancelled_idle (gpointer data)
{
  HangingWrite *hw = data;
  TestVerifyOutput *self = g_task_get_source_object (hw->task);

  g_cancellable_disconnect (g_task_get_cancellable (hw->task), hw->handler);
  self->write_pending = FALSE;
  log_event ("base write cancelled");
  g_task_return_new_error (hw->task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "base write cancelled");
  g_object_unref (hw->task);
  g_free (hw);
  return G_SOURCE_REMOVE;
}

static void
hanging_write_cancelled (GCancellable *cancellable,
                         gpointer      data)
{
  g_idle_add (hanging_write_cancelled_idle, data);
}

typedef struct {
  GTask      *task;
  const void *buffer;
  gsize       count;
} SlowWrite;

static gboolean
slow_write_idle (gpointer data)
{
  SlowWrite *sw = data;
  TestVerifyOutput *self = g_task_get_source_object (sw->task);
  g_autoptr (GError) error = NULL;
  gssize n;

  if (self->gate > 0)
    {
      gboolean open;

      g_mutex_lock (&flow_lock);
      open = flow_produced - flow_consumed >= self->gate || flow_produced >= self->gate_total;
      g_mutex_unlock (&flow_lock);
      if (!open)
        {
          /* A read is running in a GIO worker thread: wait for it. */
          g_usleep (50);
          return G_SOURCE_CONTINUE;
        }
    }

  n = test_verify_output_write (g_task_get_source_object (sw->task), sw->buffer, sw->count,
                                g_task_get_cancellable (sw->task), &error);
  if (n < 0)
    g_task_return_error (sw->task, g_steal_pointer (&error));
  else
    g_task_return_int (sw->task, n);
  g_object_unref (sw->task);
  g_free (sw);
  return G_SOURCE_REMOVE;
}

static void
test_verify_output_write_async (GOutputStream       *stream,
                                const void          *buffer,
                                gsize                count,
                                int                  io_priority,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  TestVerifyOutput *self = TEST_VERIFY_OUTPUT (stream);
  g_autoptr (GTask) task = g_task_new (stream, cancellable, callback, user_data);
  g_autoptr (GError) error = NULL;
  gssize n;

  g_task_set_check_cancellable (task, FALSE);
  if (self->hang)
    {
      HangingWrite *hw = g_new0 (HangingWrite, 1);

      g_assert_nonnull (cancellable);
      log_event ("base write pending");
      self->write_pending = TRUE;
      hw->task = g_steal_pointer (&task);
      hw->handler = g_cancellable_connect (cancellable, G_CALLBACK (hanging_write_cancelled), hw, NULL);
      return;
    }

  if (self->slow)
    {
      SlowWrite *sw = g_new0 (SlowWrite, 1);

      sw->task = g_steal_pointer (&task);
      sw->buffer = buffer;
      sw->count = count;
      g_idle_add_full (G_PRIORITY_LOW, slow_write_idle, sw, NULL);
      return;
    }

  n = test_verify_output_write (stream, buffer, count, cancellable, &error);
  if (n < 0)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_int (task, n);
}

static gssize
test_verify_output_write_finish (GOutputStream  *stream,
                                 GAsyncResult   *result,
                                 GError        **error)
{
  return g_task_propagate_int (G_TASK (result), error);
}

static gboolean
test_verify_output_flush (GOutputStream  *stream,
                          GCancellable   *cancellable,
                          GError        **error)
{
  g_atomic_int_inc (&TEST_VERIFY_OUTPUT (stream)->n_flushed);
  return TRUE;
}

static gboolean
test_verify_output_close (GOutputStream  *stream,
                          GCancellable   *cancellable,
                          GError        **error)
{
  g_atomic_int_inc (&TEST_VERIFY_OUTPUT (stream)->n_closed);
  return TRUE;
}

static void
test_verify_output_class_init (TestVerifyOutputClass *klass)
{
  GOutputStreamClass *stream_class = G_OUTPUT_STREAM_CLASS (klass);

  stream_class->write_fn = test_verify_output_write;
  stream_class->write_async = test_verify_output_write_async;
  stream_class->write_finish = test_verify_output_write_finish;
  stream_class->flush = test_verify_output_flush;
  stream_class->close_fn = test_verify_output_close;
}

static void
test_verify_output_init (TestVerifyOutput *self)
{
  self->fail_at = G_MAXUINT64;
}

static TestVerifyOutput *
verify_output_new (void)
{
  return g_object_new (TEST_TYPE_VERIFY_OUTPUT, NULL);
}

/* ---------------------------------------------------------------------- */
/* Helpers                                                                 */
/* ---------------------------------------------------------------------- */

static WStreamQueuingStrategy *
byte_strategy (double hwm)
{
  g_autoptr (GError) error = NULL;
  WStreamQueuingStrategy *strategy = wstream_queuing_strategy_new_byte_length (hwm, &error);

  g_assert_no_error (error);
  return strategy;
}

static WStreamQueuingStrategy *
count_strategy (double hwm)
{
  g_autoptr (GError) error = NULL;
  WStreamQueuingStrategy *strategy = wstream_queuing_strategy_new_count (hwm, &error);

  g_assert_no_error (error);
  return strategy;
}

/* Both take the strategy (may be NULL). */
static WStreamWritableStream *
stream_over (GOutputStream          *base,
             WStreamQueuingStrategy *strategy)
{
  g_autoptr (WStreamQueuingStrategy) owned = strategy;
  g_autoptr (GError) error = NULL;
  WStreamWritableStream *stream = wstream_writable_stream_new_for_output_stream (base, strategy, &error);

  g_assert_no_error (error);
  g_assert_nonnull (stream);
  return stream;
}

static WStreamWritableStream *
stream_with_sink (TestSink               *sink,
                  WStreamQueuingStrategy *strategy)
{
  g_autoptr (WStreamQueuingStrategy) owned = strategy;
  g_autoptr (GError) error = NULL;
  WStreamWritableStream *stream = wstream_writable_stream_new (WSTREAM_SINK (sink), strategy, &error);

  g_assert_no_error (error);
  return stream;
}

static WStreamWritableStream *
stream_over_blocking (GOutputStream          *base,
                      WStreamQueuingStrategy *strategy)
{
  g_autoptr (WStreamQueuingStrategy) owned = strategy;
  g_autoptr (WStreamOutputStreamSink) sink = wstream_output_stream_sink_new (base);
  g_autoptr (GError) error = NULL;
  WStreamWritableStream *stream;

  wstream_output_stream_sink_set_blocking_writes (sink, TRUE);
  stream = wstream_writable_stream_new (WSTREAM_SINK (sink), strategy, &error);
  g_assert_no_error (error);
  g_assert_nonnull (stream);
  return stream;
}

/* The outcome of a pipe. */
typedef struct {
  gboolean  done;
  gboolean  ok;
  guint64   bytes;
  GError   *error;
  const char *label;   /* logs "<label> ok <bytes>" / "<label> rejected <msg>" */
} PipeResult;

static void
pipe_result_clear (PipeResult *r)
{
  g_clear_error (&r->error);
}

static void
pipe_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  PipeResult *r = user_data;

  g_assert_false (r->done);
  r->bytes = G_MAXUINT64;
  r->ok = wstream_writable_stream_pipe_from_input_stream_finish (WSTREAM_WRITABLE_STREAM (source),
                                                                 result, &r->bytes, &r->error);
  g_assert_true (r->ok == (r->error == NULL));
  g_assert_cmpuint (r->bytes, !=, G_MAXUINT64);
  /* The lock is released before the callback. */
  if (!g_error_matches (r->error, WSTREAM_ERROR, WSTREAM_ERROR_LOCKED))
    g_assert_false (wstream_writable_stream_is_locked (WSTREAM_WRITABLE_STREAM (source)));
  if (r->label != NULL)
    {
      if (r->ok)
        log_event ("%s ok %" G_GUINT64_FORMAT, r->label, r->bytes);
      else
        log_event ("%s rejected %s", r->label, r->error->message);
    }
  r->done = TRUE;
}

static void
start_pipe (WStreamWritableStream *stream,
            GInputStream          *input,
            WStreamPipeFlags       flags,
            gsize                  chunk_size,
            GCancellable          *cancellable,
            PipeResult            *r)
{
  wstream_writable_stream_pipe_from_input_stream_async (stream, input, flags, chunk_size,
                                                        G_PRIORITY_DEFAULT, cancellable,
                                                        pipe_cb, r);
}

static GInputStream *
memory_input (const char *s)
{
  return g_memory_input_stream_new_from_data (g_strdup (s), strlen (s), g_free);
}

static void
weak_notify_flag (gpointer data,
                  GObject *where_the_object_was)
{
  *(gboolean *) data = TRUE;
}

static void
watch_finalize (gpointer  object,
                gboolean *flag)
{
  *flag = FALSE;
  g_object_weak_ref (object, weak_notify_flag, flag);
}

/* Objects that GIO's worker threads used may be released by those threads a
 * little after the operation's callback ran: wait for that. */
static void
wait_until_finalized (const gboolean *flag)
{
  for (guint i = 0; i < 10000 && !*flag; i++)
    {
      run_until_idle ();
      if (!*flag)
        g_usleep (1000);
    }
  g_assert_true (*flag);
}

/* ---------------------------------------------------------------------- */
/* The sink                                                                */
/* ---------------------------------------------------------------------- */

static void
test_sink_chunk_types (void)
{
  g_autoptr (GOutputStream) base = g_memory_output_stream_new_resizable ();
  g_autoptr (WStreamWritableStream) stream = stream_over (base, NULL);
  g_autoptr (WStreamDefaultWriter) writer = wstream_writable_stream_get_writer (stream, NULL);
  g_autoptr (GBytes) bytes = g_bytes_new_static ("bytes,", 6);
  GByteArray *array = g_byte_array_new ();
  GString *string = g_string_new ("gstring,");
  GValue value = G_VALUE_INIT;
  g_autofree char *contents = NULL;

  wstream_default_writer_write_bytes_async (writer, bytes, NULL, cb_write, "write bytes");

  g_byte_array_append (array, (const guint8 *) "array,", 6);
  g_value_init (&value, G_TYPE_BYTE_ARRAY);
  g_value_take_boxed (&value, array);
  wstream_default_writer_write_async (writer, &value, NULL, cb_write, "write array");
  g_value_unset (&value);

  g_value_init (&value, G_TYPE_GSTRING);
  g_value_take_boxed (&value, string);
  wstream_default_writer_write_async (writer, &value, NULL, cb_write, "write gstring");
  g_value_unset (&value);

  write_str (writer, "", TRUE);
  write_str (writer, "string", TRUE);
  wstream_default_writer_close_async (writer, NULL, cb_close, "close");

  /* The data is copied or referenced: changing the caller's objects now
   * changes nothing. */
  run_until_idle ();
  while (!g_output_stream_is_closed (base))
    g_main_context_iteration (NULL, TRUE);
  run_until_idle ();

  assert_log ("write bytes ok", "write array ok", "write gstring ok", "write  ok",
              "write string ok", "close ok");
  g_assert_true (g_output_stream_is_closed (base));
  contents = g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (base)),
                        g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (base)));
  g_assert_cmpstr (contents, ==, "bytes,array,gstring,string");
  g_assert_cmpint (wstream_writable_stream_get_state (stream), ==, WSTREAM_STATE_CLOSED);
}

static void
test_sink_invalid_chunk (void)
{
  g_autoptr (TestVerifyOutput) base = verify_output_new ();
  g_autoptr (WStreamWritableStream) stream = stream_over (G_OUTPUT_STREAM (base), count_strategy (4));
  g_autoptr (WStreamDefaultWriter) writer = wstream_writable_stream_get_writer (stream, NULL);
  g_autoptr (GError) error = NULL;
  GValue value = G_VALUE_INIT;
  double size;

  g_value_init (&value, G_TYPE_INT);
  g_value_set_int (&value, 42);
  wstream_default_writer_write_async (writer, &value, NULL, cb_write, "write 42");
  g_value_unset (&value);
  g_value_init (&value, G_TYPE_STRING);   /* a NULL string is no data either */
  wstream_default_writer_write_async (writer, &value, NULL, cb_write, "write NULL");
  g_value_unset (&value);
  run_until_idle ();

  /* (The test log shows WSTREAM_ERROR type errors as "TypeError".) */
  assert_log ("write 42 rejected TypeError", "write NULL rejected TypeError");
  g_assert_cmpint (wstream_writable_stream_get_state (stream), ==, WSTREAM_STATE_ERRORED);
  g_assert_false (wstream_default_writer_get_desired_size (writer, &size, &error));
  g_assert_error (error, WSTREAM_ERROR, WSTREAM_ERROR_INVALID_CHUNK_TYPE);
  g_assert_cmpstr (error->message, ==, "A stream over a GOutputStream takes GBytes, GByteArray, "
                   "GString or string chunks, not gint");
  /* A failed write does not close the base stream. */
  g_assert_false (g_output_stream_is_closed (G_OUTPUT_STREAM (base)));
  g_assert_cmpuint (base->pos, ==, 0);
}

static void
test_sink_base_fails_midway (void)
{
  g_autoptr (TestVerifyOutput) base = verify_output_new ();
  g_autoptr (WStreamWritableStream) stream = NULL;
  g_autoptr (WStreamDefaultWriter) writer = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) chunk = NULL;
  guint8 buf[1000];
  double size;

  base->fail_at = 2500;
  stream = stream_over (G_OUTPUT_STREAM (base), byte_strategy (10000));
  writer = wstream_writable_stream_get_writer (stream, NULL);

  for (guint i = 0; i < 4; i++)
    {
      pattern_fill (buf, i * sizeof buf, sizeof buf);
      chunk = g_bytes_new (buf, sizeof buf);
      wstream_default_writer_write_bytes_async (writer, chunk, NULL, cb_write,
                                                (gpointer) (const char *[]) { "write 0", "write 1", "write 2", "write 3" }[i]);
      g_clear_pointer (&chunk, g_bytes_unref);
    }
  wstream_default_writer_close_async (writer, NULL, cb_close, "close");
  while (log_get ()->len < 5)
    g_main_context_iteration (NULL, TRUE);

  /* The base stream's error, unchanged, for the failed write and everything
   * after it. */
  assert_log ("write 0 ok", "write 1 ok",
              "write 2 rejected no space left at 2500",
              "write 3 rejected no space left at 2500",
              "close rejected no space left at 2500");
  g_assert_false (wstream_default_writer_get_desired_size (writer, &size, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_assert_cmpuint (base->pos, ==, 2500);
  g_assert_false (base->mismatch);
  g_assert_false (g_output_stream_is_closed (G_OUTPUT_STREAM (base)));
}

static void
test_sink_abort_pending_write (void)
{
  g_autoptr (TestVerifyOutput) base = verify_output_new ();
  g_autoptr (WStreamWritableStream) stream = NULL;
  g_autoptr (WStreamDefaultWriter) writer = NULL;
  g_autoptr (GError) reason = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "stop");
  gboolean stream_gone, base_gone;

  base->hang = TRUE;
  stream = stream_over (G_OUTPUT_STREAM (base), count_strategy (4));
  writer = wstream_writable_stream_get_writer (stream, NULL);
  write_str (writer, "first", TRUE);
  write_str (writer, "second", TRUE);
  run_until_idle ();
  assert_log ("base write pending");
  g_assert_true (base->write_pending);

  wstream_default_writer_abort_async (writer, reason, NULL, cb_abort, "abort");
  g_assert_cmpint (wstream_writable_stream_get_state (stream), ==, WSTREAM_STATE_ERRORING);
  while (log_get ()->len < 4)
    g_main_context_iteration (NULL, TRUE);

  /* The write in flight is cancelled and fails with the abort reason; the
   * queued one never reaches the base stream; the base stream is closed
   * before the abort resolves. */
  assert_log ("base write cancelled", "write first rejected stop", "write second rejected stop",
              "abort ok");
  g_assert_false (base->write_pending);
  g_assert_cmpuint (g_atomic_int_get (&base->n_closed), ==, 1);
  g_assert_true (g_output_stream_is_closed (G_OUTPUT_STREAM (base)));
  g_assert_cmpint (wstream_writable_stream_get_state (stream), ==, WSTREAM_STATE_ERRORED);

  /* Everything is finalized once dropped. */
  watch_finalize (stream, &stream_gone);
  watch_finalize (base, &base_gone);
  g_clear_object (&writer);
  g_clear_object (&stream);
  g_clear_object (&base);
  run_until_idle ();
  g_assert_true (stream_gone);
  wait_until_finalized (&base_gone);
}

/* Aborting a stream over g_file_replace() keeps the original file; closing
 * it replaces the file; with blocking writes too. */
static void
test_sink_abort_keeps_replaced_file (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("wstream-gio-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "file", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autofree char *contents = NULL;

  for (guint round = 0; round < 4; round++)
    {
      gboolean do_abort = round % 2 == 0;
      gboolean blocking = round >= 2;
      g_autoptr (GFileOutputStream) out = NULL;
      g_autoptr (WStreamWritableStream) stream = NULL;
      g_autoptr (WStreamDefaultWriter) writer = NULL;

      g_assert_true (g_file_set_contents (path, "original", -1, &error));
      out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &error);
      g_assert_no_error (error);
      stream = blocking ? stream_over_blocking (G_OUTPUT_STREAM (out), NULL)
                        : stream_over (G_OUTPUT_STREAM (out), NULL);
      writer = wstream_writable_stream_get_writer (stream, NULL);
      run_until_idle ();
      write_str (writer, "replacement", TRUE);
      while (log_get ()->len < 1)
        g_main_context_iteration (NULL, TRUE);
      assert_log ("write replacement ok");

      if (do_abort)
        wstream_default_writer_abort_async (writer, NULL, NULL, cb_abort, "abort");
      else
        wstream_default_writer_close_async (writer, NULL, cb_close, "close");
      while (log_get ()->len < 1)
        g_main_context_iteration (NULL, TRUE);
      if (do_abort)
        assert_log ("abort ok");
      else
        assert_log ("close ok");
      g_assert_true (g_output_stream_is_closed (G_OUTPUT_STREAM (out)));

      g_clear_pointer (&contents, g_free);
      g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
      g_assert_cmpstr (contents, ==, do_abort ? "original" : "replacement");
    }

  g_unlink (path);
  g_rmdir (dir);
}

static void
test_sink_keep_base_open (void)
{
  g_autoptr (TestVerifyOutput) base = verify_output_new ();
  g_autoptr (WStreamOutputStreamSink) sink = wstream_output_stream_sink_new (G_OUTPUT_STREAM (base));
  g_autoptr (WStreamWritableStream) stream = NULL;
  g_autoptr (WStreamDefaultWriter) writer = NULL;
  g_autoptr (GBytes) chunk = NULL;
  guint8 buf[100];

  g_assert_true (wstream_output_stream_sink_get_close_base_stream (sink));
  g_assert_cmpint (wstream_output_stream_sink_get_io_priority (sink), ==, G_PRIORITY_DEFAULT);
  wstream_output_stream_sink_set_close_base_stream (sink, FALSE);
  wstream_output_stream_sink_set_io_priority (sink, G_PRIORITY_LOW);
  g_assert_cmpint (wstream_output_stream_sink_get_io_priority (sink), ==, G_PRIORITY_LOW);
  g_assert_true (wstream_output_stream_sink_get_base_stream (sink) == G_OUTPUT_STREAM (base));

  stream = wstream_writable_stream_new (WSTREAM_SINK (sink), NULL, NULL);
  writer = wstream_writable_stream_get_writer (stream, NULL);
  pattern_fill (buf, 0, sizeof buf);
  chunk = g_bytes_new (buf, sizeof buf);
  wstream_default_writer_write_bytes_async (writer, chunk, NULL, NULL, NULL);
  wstream_default_writer_close_async (writer, NULL, cb_close, "close");
  while (log_get ()->len < 1)
    g_main_context_iteration (NULL, TRUE);

  assert_log ("close ok");
  g_assert_cmpuint (base->pos, ==, 100);
  g_assert_false (base->mismatch);
  g_assert_cmpuint (g_atomic_int_get (&base->n_flushed), >=, 1);
  g_assert_false (g_output_stream_is_closed (G_OUTPUT_STREAM (base)));
}

static void
test_sink_closed_base (void)
{
  g_autoptr (GOutputStream) base = g_memory_output_stream_new_resizable ();
  g_autoptr (GError) error = NULL;
  g_autoptr (WStreamWritableStream) stream = NULL;

  g_output_stream_close (base, NULL, NULL);
  stream = wstream_writable_stream_new_for_output_stream (base, NULL, &error);
  g_assert_null (stream);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
}

/* ---------------------------------------------------------------------- */
/* The sink's synchronous paths: a pollable base stream and blocking-writes */
/* ---------------------------------------------------------------------- */

/* A write that a pollable base stream takes at once is finished inside the
 * write call (its callback still runs later, from the main context). */
static void
test_sink_pollable_writes_at_once (void)
{
  g_autoptr (GOutputStream) base = g_memory_output_stream_new_resizable ();
  g_autoptr (WStreamWritableStream) stream = stream_over (base, count_strategy (4));
  g_autoptr (WStreamDefaultWriter) writer = wstream_writable_stream_get_writer (stream, NULL);
  GMemoryOutputStream *memory = G_MEMORY_OUTPUT_STREAM (base);

  run_until_idle ();   /* start() */
  write_str (writer, "first,", TRUE);
  /* The idle stream gave the chunk to the sink at once, and the sink wrote
   * it without a main-loop round trip. */
  g_assert_cmpuint (g_memory_output_stream_get_data_size (memory), ==, 6);
  g_assert_false (g_output_stream_has_pending (base));
  assert_log_empty ();
  write_str (writer, "second", TRUE);
  wstream_default_writer_close_async (writer, NULL, cb_close, "close");
  while (log_get ()->len < 3)
    g_main_context_iteration (NULL, TRUE);

  assert_log ("write first, ok", "write second ok", "close ok");
  g_assert_true (g_output_stream_is_closed (base));
  g_assert_cmpmem (g_memory_output_stream_get_data (memory),
                   g_memory_output_stream_get_data_size (memory), "first,second", 12);
}

/* Reads a GInputStream in a thread, once opened, checking the pattern. */
typedef struct {
  GInputStream *input;
  GThread      *thread;
  GMutex        lock;
  GCond         cond;
  gboolean      open;
  guint64       received;
  gboolean      mismatch;
  GError       *error;
} Drain;

static gpointer
drain_thread (gpointer data)
{
  Drain *drain = data;
  g_autofree guint8 *buf = g_malloc (64 * KiB);

  g_mutex_lock (&drain->lock);
  while (!drain->open)
    g_cond_wait (&drain->cond, &drain->lock);
  g_mutex_unlock (&drain->lock);

  for (;;)
    {
      gssize n = g_input_stream_read (drain->input, buf, 64 * KiB, NULL, &drain->error);

      if (n <= 0)
        break;
      if (!pattern_check (buf, drain->received, n))
        drain->mismatch = TRUE;
      drain->received += n;
    }
  return NULL;
}

static void
drain_start (Drain        *drain,
             GInputStream *input)
{
  drain->input = g_object_ref (input);
  g_mutex_init (&drain->lock);
  g_cond_init (&drain->cond);
  drain->thread = g_thread_new ("drain", drain_thread, drain);
}

static void
drain_open (Drain *drain)
{
  g_mutex_lock (&drain->lock);
  drain->open = TRUE;
  g_cond_signal (&drain->cond);
  g_mutex_unlock (&drain->lock);
}

static void
drain_join (Drain *drain)
{
  drain_open (drain);
  g_thread_join (drain->thread);
  g_clear_object (&drain->input);
  g_mutex_clear (&drain->lock);
  g_cond_clear (&drain->cond);
}

/* `cat`, whose standard input is a pipe in non-blocking mode (so that a
 * full pipe makes the sink's write_nonblocking fail with WOULD_BLOCK, or
 * write part of a chunk, instead of blocking) and whose output a Drain
 * reads once opened. */
static GSubprocess *
cat_with_nonblocking_stdin (Drain *drain)
{
  g_autoptr (GError) error = NULL;
  GSubprocess *cat = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                       &error, "cat", NULL);
  GOutputStream *stdin_pipe;
  int fd = -1;

  g_assert_no_error (error);
  stdin_pipe = g_subprocess_get_stdin_pipe (cat);
  g_assert_true (G_IS_POLLABLE_OUTPUT_STREAM (stdin_pipe));
  g_assert_true (g_pollable_output_stream_can_poll (G_POLLABLE_OUTPUT_STREAM (stdin_pipe)));
  g_object_get (stdin_pipe, "fd", &fd, NULL);
  g_assert_cmpint (fd, >=, 0);
  g_assert_true (g_unix_set_fd_nonblocking (fd, TRUE, &error));
  g_assert_no_error (error);
  drain_start (drain, g_subprocess_get_stdout_pipe (cat));
  return cat;
}

/* Writes pattern chunks of @chunk_size from *@offset without waiting, until
 * the base stream has an asynchronous write pending (the reader is not
 * reading: the pipe is full). Returns whether that happened. */
static gboolean
write_until_base_pending (WStreamDefaultWriter *writer,
                          GOutputStream        *base,
                          gsize                 chunk_size,
                          guint64              *offset,
                          guint64               limit)
{
  g_autofree guint8 *buf = g_malloc (chunk_size);

  while (*offset < limit)
    {
      g_autoptr (GBytes) chunk = NULL;

      pattern_fill (buf, *offset, chunk_size);
      chunk = g_bytes_new (buf, chunk_size);
      wstream_default_writer_write_bytes_async (writer, chunk, NULL, NULL, NULL);
      *offset += chunk_size;
      run_until_idle ();
      if (g_output_stream_has_pending (base))
        return TRUE;
    }
  return FALSE;
}

typedef struct {
  WStreamDefaultWriter *writer;
  gsize                 chunk_size;
  guint64               offset;
  guint64               size;
  gboolean              closed;
  GError               *error;
} Producer;

static void producer_run (Producer *p);

static void
producer_ready_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Producer *p = user_data;

  if (!wstream_default_writer_wait_ready_finish (p->writer, result, &p->error))
    {
      p->closed = TRUE;
      return;
    }
  producer_run (p);
}

static void
producer_closed_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Producer *p = user_data;

  wstream_default_writer_close_finish (p->writer, result, &p->error);
  p->closed = TRUE;
}

/* Writes the pattern up to p->size with backpressure, then closes. */
static void
producer_run (Producer *p)
{
  g_autofree guint8 *buf = g_malloc (p->chunk_size);
  double desired;

  while (p->offset < p->size)
    {
      g_autoptr (GBytes) chunk = NULL;
      gsize n = MIN (p->chunk_size, p->size - p->offset);

      g_assert_true (wstream_default_writer_get_desired_size (p->writer, &desired, NULL));
      if (desired <= 0)
        {
          wstream_default_writer_wait_ready_async (p->writer, NULL, producer_ready_cb, p);
          return;
        }
      pattern_fill (buf, p->offset, n);
      chunk = g_bytes_new (buf, n);
      wstream_default_writer_write_bytes_async (p->writer, chunk, NULL, NULL, NULL);
      p->offset += n;
    }
  wstream_default_writer_close_async (p->writer, NULL, producer_closed_cb, p);
}

/* A pipe whose reader is slower than the writer: the sink's non-blocking
 * write meets a full pipe, goes on asynchronously, and the reader gets every
 * byte in order. */
static void
test_sink_pollable_slow_reader (void)
{
  const gsize chunk_size = 100000;   /* not a multiple of the pipe's pages */
  const guint64 size = 32 * MiB + 777;   /* (fast: not scaled down) */
  Drain drain = { 0 };
  g_autoptr (GSubprocess) cat = cat_with_nonblocking_stdin (&drain);
  GOutputStream *base = g_subprocess_get_stdin_pipe (cat);
  g_autoptr (WStreamWritableStream) stream = stream_over (base, byte_strategy (256 * KiB));
  g_autoptr (WStreamDefaultWriter) writer = wstream_writable_stream_get_writer (stream, NULL);
  g_autoptr (GError) error = NULL;
  Producer p = { .writer = writer, .chunk_size = chunk_size, .size = size };

  run_until_idle ();
  /* The reader does not read yet: the pipe and cat fill up, and then a
   * write goes on asynchronously. */
  g_assert_true (write_until_base_pending (writer, base, chunk_size, &p.offset, 16 * MiB));
  g_assert_cmpuint (p.offset, <, 16 * MiB);
  g_assert_cmpint (wstream_writable_stream_get_state (stream), ==, WSTREAM_STATE_WRITABLE);

  drain_open (&drain);
  producer_run (&p);
  run_until_true (&p.closed);
  g_assert_no_error (p.error);
  g_assert_true (g_output_stream_is_closed (base));
  g_assert_true (g_subprocess_wait_check (cat, NULL, &error));
  g_assert_no_error (error);
  drain_join (&drain);
  g_assert_no_error (drain.error);
  g_assert_cmpuint (drain.received, ==, size);
  g_assert_false (drain.mismatch);
  g_assert_cmpint (wstream_writable_stream_get_state (stream), ==, WSTREAM_STATE_CLOSED);
}

/* Abort while the rest of a chunk waits for a full pipe. */
static void
test_sink_pollable_abort_pending_write (void)
{
  const gsize chunk_size = 64 * KiB;
  Drain drain = { 0 };
  g_autoptr (GSubprocess) cat = cat_with_nonblocking_stdin (&drain);
  GOutputStream *base = g_subprocess_get_stdin_pipe (cat);
  g_autoptr (WStreamWritableStream) stream = stream_over (base, byte_strategy (256 * KiB));
  g_autoptr (WStreamDefaultWriter) writer = wstream_writable_stream_get_writer (stream, NULL);
  g_autoptr (GError) reason = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "stop");
  g_autoptr (GError) error = NULL;
  guint64 offset = 0;

  run_until_idle ();
  g_assert_true (write_until_base_pending (writer, base, chunk_size, &offset, 16 * MiB));
  write_str (writer, "queued", TRUE);
  wstream_default_writer_abort_async (writer, reason, NULL, cb_abort, "abort");
  while (log_get ()->len < 2)
    g_main_context_iteration (NULL, TRUE);

  /* The pending write was cancelled (it has no callback here), the queued
   * one fails with the reason, and the pipe is closed. */
  assert_log ("write queued rejected stop", "abort ok");
  g_assert_false (g_output_stream_has_pending (base));
  g_assert_true (g_output_stream_is_closed (base));
  g_assert_cmpint (wstream_writable_stream_get_state (stream), ==, WSTREAM_STATE_ERRORED);

  /* cat gets end of input after what was written, in order. */
  drain_join (&drain);
  g_assert_true (g_subprocess_wait_check (cat, NULL, &error));
  g_assert_no_error (drain.error);
  g_assert_cmpuint (drain.received, <, offset);
  g_assert_false (drain.mismatch);
}

/* blocking-writes: the property, and a file written inside each write call,
 * byte for byte. */
static void
test_sink_blocking_writes_file (void)
{
  const gsize chunk_size = 100000;
  const guint64 size = LARGE (64 * MiB) + 4321;
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("wstream-gio-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "file", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFileOutputStream) out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &error);
  g_autoptr (WStreamOutputStreamSink) sink = wstream_output_stream_sink_new (G_OUTPUT_STREAM (out));
  g_autoptr (WStreamWritableStream) stream = NULL;
  g_autoptr (WStreamDefaultWriter) writer = NULL;
  g_autoptr (GMappedFile) mapped = NULL;
  Producer p = { .chunk_size = chunk_size, .size = size };
  gboolean blocking = FALSE;

  g_assert_no_error (error);
  g_assert_false (wstream_output_stream_sink_get_blocking_writes (sink));
  wstream_output_stream_sink_set_blocking_writes (sink, TRUE);
  g_object_get (sink, "blocking-writes", &blocking, NULL);
  g_assert_true (blocking);
  {
    g_autoptr (WStreamQueuingStrategy) strategy = byte_strategy (1 * MiB);

    stream = wstream_writable_stream_new (WSTREAM_SINK (sink), strategy, &error);
  }
  g_assert_no_error (error);
  writer = wstream_writable_stream_get_writer (stream, NULL);
  run_until_idle ();

  /* The first write reaches the file before the write call returns. */
  p.writer = writer;
  {
    g_autoptr (GBytes) chunk = NULL;
    g_autofree guint8 *buf = g_malloc (chunk_size);

    pattern_fill (buf, 0, chunk_size);
    chunk = g_bytes_new (buf, chunk_size);
    wstream_default_writer_write_bytes_async (writer, chunk, NULL, NULL, NULL);
    g_assert_cmpint (g_seekable_tell (G_SEEKABLE (out)), ==, chunk_size);
    g_assert_false (g_output_stream_has_pending (G_OUTPUT_STREAM (out)));
    p.offset = chunk_size;
  }

  producer_run (&p);
  run_until_true (&p.closed);
  g_assert_no_error (p.error);
  g_assert_true (g_output_stream_is_closed (G_OUTPUT_STREAM (out)));

  mapped = g_mapped_file_new (path, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_mapped_file_get_length (mapped), ==, size);
  g_assert_true (pattern_check ((const guint8 *) g_mapped_file_get_contents (mapped), 0, size));
  g_clear_pointer (&mapped, g_mapped_file_unref);
  g_unlink (path);
  g_rmdir (dir);
}

/* blocking-writes: a base stream error is the stream's error, unchanged. */
static void
test_sink_blocking_writes_base_fails (void)
{
  g_autoptr (TestVerifyOutput) base = verify_output_new ();
  g_autoptr (WStreamWritableStream) stream = NULL;
  g_autoptr (WStreamDefaultWriter) writer = NULL;
  g_autoptr (GError) error = NULL;
  guint8 buf[1000];
  double size;

  base->fail_at = 2500;
  base->hang = TRUE;   /* an asynchronous write would never finish */
  stream = stream_over_blocking (G_OUTPUT_STREAM (base), byte_strategy (10000));
  writer = wstream_writable_stream_get_writer (stream, NULL);
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr (GBytes) chunk = NULL;

      pattern_fill (buf, i * sizeof buf, sizeof buf);
      chunk = g_bytes_new (buf, sizeof buf);
      wstream_default_writer_write_bytes_async (writer, chunk, NULL, cb_write,
                                                (gpointer) (const char *[]) { "write 0", "write 1", "write 2", "write 3" }[i]);
    }
  wstream_default_writer_close_async (writer, NULL, cb_close, "close");
  run_until_idle ();

  assert_log ("write 0 ok", "write 1 ok",
              "write 2 rejected no space left at 2500",
              "write 3 rejected no space left at 2500",
              "close rejected no space left at 2500");
  g_assert_false (wstream_default_writer_get_desired_size (writer, &size, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_assert_cmpuint (base->pos, ==, 2500);
  g_assert_false (base->mismatch);
  g_assert_false (base->write_pending);
  g_assert_false (g_output_stream_is_closed (G_OUTPUT_STREAM (base)));
}

/* ---------------------------------------------------------------------- */
/* The pipe                                                                */
/* ---------------------------------------------------------------------- */

static void
test_pipe_events (void)
{
  g_autoptr (TestSink) sink = test_sink_new ();
  g_autoptr (WStreamWritableStream) stream = stream_with_sink (sink, NULL);
  g_autoptr (GInputStream) input = memory_input ("abcdefg");
  PipeResult r = { .label = "pipe" };

  log_reset ();
  start_pipe (stream, input, WSTREAM_PIPE_FLAGS_NONE, 3, NULL, &r);
  g_assert_true (wstream_writable_stream_is_locked (stream));
  run_until_true (&r.done);
  assert_log ("sink.write abc", "sink.write def", "sink.write g", "sink.close",
              "pipe ok 7");
  g_assert_cmpint (wstream_writable_stream_get_state (stream), ==, WSTREAM_STATE_CLOSED);
  pipe_result_clear (&r);
}

/* A pollable input is read inside the main context, but not forever: with a
 * stream that never asks it to wait, the pipe lets the main context run
 * after a number of reads in a row. */
static void
test_pipe_inline_reads_are_bounded (void)
{
  g_autoptr (TestSink) sink = test_sink_new ();
  g_autoptr (WStreamWritableStream) stream = stream_with_sink (sink, count_strategy (INFINITY));
  g_autofree char *text = g_strnfill (200, 'x');
  g_autoptr (GInputStream) input = memory_input (text);
  PipeResult r = { 0 };
  goffset after_start;

  run_until_idle ();
  log_reset ();
  start_pipe (stream, input, WSTREAM_PIPE_FLAGS_NONE, 1, NULL, &r);
  after_start = g_seekable_tell (G_SEEKABLE (input));
  g_assert_cmpint (after_start, >, 1);
  g_assert_cmpint (after_start, <, 200);
  g_assert_true (g_input_stream_has_pending (input));
  run_until_true (&r.done);
  g_assert_no_error (r.error);
  g_assert_cmpuint (r.bytes, ==, 200);
  g_assert_cmpint (wstream_writable_stream_get_state (stream), ==, WSTREAM_STATE_CLOSED);
  pipe_result_clear (&r);
}

static void
test_pipe_prevent_close (void)
{
  g_autoptr (TestSink) sink = test_sink_new ();
  g_autoptr (WStreamWritableStream) stream = stream_with_sink (sink, NULL);
  g_autoptr (GInputStream) input = memory_input ("abcd");
  g_autoptr (WStreamDefaultWriter) writer = NULL;
  PipeResult r = { .label = "pipe" };

  log_reset ();
  start_pipe (stream, input, WSTREAM_PIPE_FLAGS_PREVENT_CLOSE, 0, NULL, &r);
  run_until_true (&r.done);
  assert_log ("sink.write abcd", "pipe ok 4");
  g_assert_cmpint (wstream_writable_stream_get_state (stream), ==, WSTREAM_STATE_WRITABLE);

  /* The stream is unlocked and usable. */
  writer = wstream_writable_stream_get_writer (stream, NULL);
  g_assert_nonnull (writer);
  write_str (writer, "more", TRUE);
  run_until_idle ();
  assert_log ("sink.write more", "write more ok");
  pipe_result_clear (&r);
}

static void
test_pipe_locked (void)
{
  g_autoptr (TestSink) sink = test_sink_new ();
  g_autoptr (WStreamWritableStream) stream = stream_with_sink (sink, NULL);
  g_autoptr (WStreamDefaultWriter) writer = wstream_writable_stream_get_writer (stream, NULL);
  g_autoptr (GInputStream) input = pattern_input_new (100);
  PipeResult r = { 0 };

  start_pipe (stream, input, WSTREAM_PIPE_FLAGS_NONE, 0, NULL, &r);
  g_assert_false (r.done);   /* never inside the call */
  run_until_true (&r.done);
  g_assert_error (r.error, WSTREAM_ERROR, WSTREAM_ERROR_LOCKED);
  g_assert_cmpuint (r.bytes, ==, 0);
  g_assert_cmpint (TEST_PATTERN_INPUT (input)->reads_started, ==, 0);
  g_assert_cmpint (wstream_writable_stream_get_state (stream), ==, WSTREAM_STATE_WRITABLE);
  pipe_result_clear (&r);
}

static void
test_pipe_into_errored_or_closed (void)
{
  for (guint round = 0; round < 2; round++)
    {
      g_autoptr (TestSink) sink = test_sink_new ();
      g_autoptr (WStreamWritableStream) stream = stream_with_sink (sink, NULL);
      g_autoptr (GInputStream) input = pattern_input_new (100);
      g_autoptr (GError) boom = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE, "boom");
      PipeResult r = { 0 };

      sink->quiet = TRUE;
      run_until_idle ();
      if (round == 0)
        wstream_default_controller_error (sink->controller, boom);
      else
        wstream_writable_stream_close_async (stream, NULL, NULL, NULL);
      start_pipe (stream, input, WSTREAM_PIPE_FLAGS_NONE, 0, NULL, &r);
      g_assert_false (r.done);
      run_until_true (&r.done);
      if (round == 0)
        g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE);
      else
        g_assert_error (r.error, WSTREAM_ERROR, WSTREAM_ERROR_CLOSED);
      /* Nothing was read. */
      g_assert_cmpint (TEST_PATTERN_INPUT (input)->reads_started, ==, 0);
      g_assert_cmpuint (sink->written->len, ==, 0);
      pipe_result_clear (&r);
    }
}

/* Copies a large generated input through a stream over a GOutputStream and
 * checks the bytes and the memory the copy held. */
static void
test_pipe_large_copy (void)
{
  const guint64 size = LARGE (256 * MiB);
  const gsize chunk_size = 64 * KiB;
  const double hwm = 1 * MiB;
  g_autoptr (TestVerifyOutput) base = verify_output_new ();
  g_autoptr (WStreamWritableStream) stream = stream_over (G_OUTPUT_STREAM (base), byte_strategy (hwm));
  g_autoptr (GInputStream) input = pattern_input_new (size);
  PipeResult r = { 0 };
  gboolean peak_reset;
  guint64 rss_before;
  guint64 hwm_after;
  gint64 start;

  /* The base stream is slower than the input (it finishes a write only
   * once a high-water mark's worth of data is in flight), so the queue fills
   * up to the mark and the pipe has to wait for it. */
  base->slow = TRUE;
  base->gate = hwm;
  base->gate_total = size;
  peak_reset = reset_peak_rss ();
  rss_before = read_status_kib (peak_reset ? "VmRSS:" : "VmHWM:");
  start = g_get_monotonic_time ();
  flow_reset ();
  start_pipe (stream, input, WSTREAM_PIPE_FLAGS_NONE, chunk_size, NULL, &r);
  run_until_true (&r.done);
  g_test_message ("copied %" G_GUINT64_FORMAT " MiB in %.2f s", size / MiB,
                  (g_get_monotonic_time () - start) / 1e6);

  g_assert_no_error (r.error);
  g_assert_cmpuint (r.bytes, ==, size);
  g_assert_cmpuint (base->pos, ==, size);
  g_assert_false (base->mismatch);
  g_assert_true (g_output_stream_is_closed (G_OUTPUT_STREAM (base)));
  g_assert_cmpint (wstream_writable_stream_get_state (stream), ==, WSTREAM_STATE_CLOSED);

  /* Never more in flight than the strategy allows plus a chunk being
   * queued past the mark plus the chunk being read. */
  g_test_message ("max in flight %" G_GUINT64_FORMAT " bytes", flow_get_max_in_flight ());
  g_assert_cmpuint (flow_get_max_in_flight (), <=, (guint64) hwm + 2 * chunk_size);
  g_assert_cmpuint (flow_get_max_in_flight (), >=, (guint64) hwm);

  hwm_after = read_status_kib ("VmHWM:");
  g_test_message ("peak RSS grew by %" G_GUINT64_FORMAT " KiB (reset: %d)",
                  hwm_after > rss_before ? hwm_after - rss_before : 0, peak_reset);
#ifndef __SANITIZE_ADDRESS__
  /* (AddressSanitizer keeps freed memory in quarantine: RSS says nothing
   * there; the byte count above is the real bound.) */
  if (hwm_after > 0 && rss_before > 0)
    g_assert_cmpuint (hwm_after, <, rss_before + 32 * 1024);
#endif
  pipe_result_clear (&r);
}

/* A real file to a real file, compared byte for byte. */
static void
test_pipe_file_copy (gconstpointer data)
{
  const gboolean blocking = GPOINTER_TO_INT (data);
  const guint64 size = LARGE (128 * MiB) + 12345;
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("wstream-gio-XXXXXX", &error);
  g_autofree char *src_path = g_build_filename (dir, "src", NULL);
  g_autofree char *dst_path = g_build_filename (dir, "dst", NULL);
  g_autoptr (GFile) src = g_file_new_for_path (src_path);
  g_autoptr (GFile) dst = g_file_new_for_path (dst_path);
  g_autoptr (GFileInputStream) in = NULL;
  g_autoptr (GFileOutputStream) out = NULL;
  g_autoptr (WStreamWritableStream) stream = NULL;
  g_autofree guint8 *buf = g_malloc (MiB);
  PipeResult r = { 0 };
  FILE *f;
  guint64 pos;

  g_assert_no_error (error);
  f = fopen (src_path, "wb");
  g_assert_nonnull (f);
  for (pos = 0; pos < size; pos += MiB)
    {
      gsize n = MIN (MiB, size - pos);
      pattern_fill (buf, pos, n);
      g_assert_cmpuint (fwrite (buf, 1, n, f), ==, n);
    }
  g_assert_cmpint (fclose (f), ==, 0);

  in = g_file_read (src, NULL, &error);
  g_assert_no_error (error);
  out = g_file_replace (dst, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &error);
  g_assert_no_error (error);
  if (blocking)
    {
      /* Reads and writes inside the main context: the first chunk is read
       * and written before the call returns, and the reads stop when the
       * queue is full (16 chunks: fewer than the pipe's limit of reads in a
       * row), without an asynchronous read. */
      stream = stream_over_blocking (G_OUTPUT_STREAM (out), byte_strategy (1 * MiB));
      run_until_idle ();   /* start() */
      start_pipe (stream, G_INPUT_STREAM (in), WSTREAM_PIPE_FLAGS_BLOCKING_READS, 0, NULL, &r);
      g_assert_cmpint (g_seekable_tell (G_SEEKABLE (out)), ==, WSTREAM_PIPE_DEFAULT_CHUNK_SIZE);
      g_assert_false (g_input_stream_has_pending (G_INPUT_STREAM (in)));
    }
  else
    {
      /* A local file is read in a worker thread and written from one. */
      stream = stream_over (G_OUTPUT_STREAM (out), byte_strategy (4 * MiB));
      run_until_idle ();   /* start() */
      start_pipe (stream, G_INPUT_STREAM (in), WSTREAM_PIPE_FLAGS_NONE, 0, NULL, &r);
      g_assert_cmpint (g_seekable_tell (G_SEEKABLE (out)), ==, 0);
      g_assert_true (g_input_stream_has_pending (G_INPUT_STREAM (in)));
    }
  run_until_true (&r.done);
  g_assert_no_error (r.error);
  g_assert_cmpuint (r.bytes, ==, size);
  g_assert_true (g_output_stream_is_closed (G_OUTPUT_STREAM (out)));
  g_assert_false (g_input_stream_is_closed (G_INPUT_STREAM (in)));

  f = fopen (dst_path, "rb");
  g_assert_nonnull (f);
  for (pos = 0; pos < size; pos += MiB)
    {
      gsize n = MIN (MiB, size - pos);
      g_assert_cmpuint (fread (buf, 1, n, f), ==, n);
      g_assert_true (pattern_check (buf, pos, n));
    }
  g_assert_cmpuint (fread (buf, 1, 1, f), ==, 0);
  fclose (f);

  g_unlink (src_path);
  g_unlink (dst_path);
  g_rmdir (dir);
  pipe_result_clear (&r);
}

typedef struct {
  GOutputStream *output;
  guint64        size;
  GMutex         lock;
  GCond          cond;
  gboolean       open;
  GError        *error;
} Feed;

/* Writes the pattern into feed->output once opened, then closes it. */
static gpointer
feed_thread (gpointer data)
{
  Feed *feed = data;
  g_autofree guint8 *buf = g_malloc (40000);
  guint64 pos;

  g_mutex_lock (&feed->lock);
  while (!feed->open)
    g_cond_wait (&feed->cond, &feed->lock);
  g_mutex_unlock (&feed->lock);

  for (pos = 0; pos < feed->size && feed->error == NULL; pos += 40000)
    {
      gsize n = MIN (40000, feed->size - pos);

      pattern_fill (buf, pos, n);
      g_output_stream_write_all (feed->output, buf, n, NULL, NULL, &feed->error);
    }
  if (feed->error == NULL)
    g_output_stream_close (feed->output, NULL, &feed->error);
  return NULL;
}

/* A pollable input (`cat`'s standard output) that has nothing to give at
 * first: the pipe's non-blocking read goes on asynchronously, and the copy
 * is complete and in order. */
static void
test_pipe_pollable_input (void)
{
  const guint64 size = LARGE (32 * MiB) + 99;
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) cat = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                                  &error, "cat", NULL);
  g_autoptr (TestVerifyOutput) base = verify_output_new ();
  g_autoptr (WStreamWritableStream) stream = stream_over (G_OUTPUT_STREAM (base), byte_strategy (1 * MiB));
  GInputStream *input;
  Feed feed = { 0 };
  GThread *thread;
  PipeResult r = { 0 };

  g_assert_no_error (error);
  input = g_subprocess_get_stdout_pipe (cat);
  g_assert_true (G_IS_POLLABLE_INPUT_STREAM (input));
  g_assert_true (g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (input)));
  feed.output = g_subprocess_get_stdin_pipe (cat);
  feed.size = size;
  g_mutex_init (&feed.lock);
  g_cond_init (&feed.cond);
  thread = g_thread_new ("feed", feed_thread, &feed);

  start_pipe (stream, input, WSTREAM_PIPE_FLAGS_NONE, 0, NULL, &r);
  /* Nothing to read yet: the read waits for the pipe. */
  g_assert_true (g_input_stream_has_pending (input));
  run_until_idle ();
  g_assert_true (g_input_stream_has_pending (input));
  g_assert_false (r.done);

  g_mutex_lock (&feed.lock);
  feed.open = TRUE;
  g_cond_signal (&feed.cond);
  g_mutex_unlock (&feed.lock);
  run_until_true (&r.done);
  g_thread_join (thread);
  g_mutex_clear (&feed.lock);
  g_cond_clear (&feed.cond);

  g_assert_no_error (feed.error);
  g_assert_no_error (r.error);
  g_assert_cmpuint (r.bytes, ==, size);
  g_assert_cmpuint (base->pos, ==, size);
  g_assert_false (base->mismatch);
  g_assert_false (g_input_stream_has_pending (input));
  g_assert_true (g_subprocess_wait_check (cat, NULL, &error));
  g_assert_no_error (error);
  pipe_result_clear (&r);
}

static void
test_pipe_base_fails_midway (void)
{
  const guint64 fail_at = 3 * MiB + 1000;
  g_autoptr (TestVerifyOutput) base = verify_output_new ();
  g_autoptr (WStreamWritableStream) stream = NULL;
  g_autoptr (GInputStream) input = pattern_input_new (64 * MiB);
  g_autoptr (WStreamDefaultWriter) writer = NULL;
  g_autoptr (GError) error = NULL;
  PipeResult r = { 0 };
  double size;

  base->fail_at = fail_at;
  stream = stream_over (G_OUTPUT_STREAM (base), byte_strategy (256 * KiB));
  start_pipe (stream, input, WSTREAM_PIPE_FLAGS_NONE, 0, NULL, &r);
  run_until_true (&r.done);

  /* The base stream's error, unchanged; only whole successful writes count. */
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_assert_cmpstr (r.error->message, ==, "no space left at 3146728");
  g_assert_cmpuint (r.bytes, ==, 3 * MiB);
  g_assert_cmpuint (base->pos, ==, fail_at);
  g_assert_false (base->mismatch);
  /* The pipe stopped reading soon after. */
  g_assert_cmpuint (TEST_PATTERN_INPUT (input)->pos, <, fail_at + 512 * KiB);
  g_assert_false (g_input_stream_has_pending (input));
  g_assert_cmpint (wstream_writable_stream_get_state (stream), ==, WSTREAM_STATE_ERRORED);
  writer = wstream_writable_stream_get_writer (stream, NULL);
  g_assert_false (wstream_default_writer_get_desired_size (writer, &size, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  pipe_result_clear (&r);
}

static void
test_pipe_input_fails_midway (void)
{
  const guint64 fail_at = 5 * MiB + 77;
  g_autoptr (TestVerifyOutput) base = verify_output_new ();
  g_autoptr (WStreamWritableStream) stream = stream_over (G_OUTPUT_STREAM (base), byte_strategy (MiB));
  g_autoptr (GInputStream) input = pattern_input_new (64 * MiB);
  g_autoptr (WStreamDefaultWriter) writer = NULL;
  g_autoptr (GError) error = NULL;
  PipeResult r = { 0 };
  double size;

  TEST_PATTERN_INPUT (input)->fail_at = fail_at;
  start_pipe (stream, input, WSTREAM_PIPE_FLAGS_NONE, 0, NULL, &r);
  run_until_true (&r.done);

  /* Everything read before the failure was written, then the stream was
   * aborted with the read error, which closed the base stream. */
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
  g_assert_cmpstr (r.error->message, ==, "input failed at 5242957");
  g_assert_cmpuint (r.bytes, ==, fail_at);
  g_assert_cmpuint (base->pos, ==, fail_at);
  g_assert_false (base->mismatch);
  g_assert_true (g_output_stream_is_closed (G_OUTPUT_STREAM (base)));
  g_assert_cmpint (wstream_writable_stream_get_state (stream), ==, WSTREAM_STATE_ERRORED);
  writer = wstream_writable_stream_get_writer (stream, NULL);
  g_assert_false (wstream_default_writer_get_desired_size (writer, &size, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
  pipe_result_clear (&r);
}

static void
test_pipe_input_fails_prevent_abort (void)
{
  g_autoptr (TestSink) sink = test_sink_new ();
  g_autoptr (WStreamWritableStream) stream = stream_with_sink (sink, NULL);
  g_autoptr (GInputStream) input = pattern_input_new (1000);
  PipeResult r = { 0 };

  sink->quiet = TRUE;
  TEST_PATTERN_INPUT (input)->fail_at = 250;
  start_pipe (stream, input, WSTREAM_PIPE_FLAGS_PREVENT_ABORT, 100, NULL, &r);
  run_until_true (&r.done);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
  g_assert_cmpuint (r.bytes, ==, 250);
  g_assert_cmpuint (sink->written->len, ==, 3);
  g_assert_cmpint (wstream_writable_stream_get_state (stream), ==, WSTREAM_STATE_WRITABLE);
  g_assert_false (wstream_writable_stream_is_locked (stream));
  pipe_result_clear (&r);
}

static void
test_pipe_stream_errors (void)
{
  g_autoptr (TestSink) sink = test_sink_new ();
  g_autoptr (WStreamWritableStream) stream = stream_with_sink (sink, NULL);
  g_autoptr (GInputStream) input = pattern_input_new (1000);
  g_autoptr (GError) boom = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE, "boom");
  PipeResult r = { 0 };

  sink->quiet = TRUE;
  TEST_PATTERN_INPUT (input)->hang = TRUE;
  start_pipe (stream, input, WSTREAM_PIPE_FLAGS_NONE, 0, NULL, &r);
  while (g_atomic_int_get (&TEST_PATTERN_INPUT (input)->reads_started) == 0)
    g_main_context_iteration (NULL, FALSE);

  /* The stream errors while the pipe waits for a read: the read is
   * cancelled and the pipe fails with the stream's error. */
  wstream_default_controller_error (sink->controller, boom);
  run_until_true (&r.done);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE);
  g_assert_cmpuint (r.bytes, ==, 0);
  g_assert_false (g_input_stream_has_pending (input));
  pipe_result_clear (&r);
}

static void
test_pipe_cancel_before_start (void)
{
  g_autoptr (TestSink) sink = test_sink_new ();
  g_autoptr (WStreamWritableStream) stream = stream_with_sink (sink, NULL);
  g_autoptr (GInputStream) input = memory_input ("abcdef");
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  PipeResult r = { .label = "pipe" };

  log_reset ();
  g_cancellable_cancel (cancellable);
  start_pipe (stream, input, WSTREAM_PIPE_FLAGS_NONE, 0, cancellable, &r);
  run_until_true (&r.done);
  /* As a pipeTo() with an aborted signal: the stream is aborted. A chunk
   * may have been read already, but nothing is written. */
  assert_log ("sink.abort The pipe was cancelled", "pipe rejected The pipe was cancelled");
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (r.bytes, ==, 0);
  g_assert_cmpint (wstream_writable_stream_get_state (stream), ==, WSTREAM_STATE_ERRORED);
  pipe_result_clear (&r);
}

static void
test_pipe_cancel_during_read (void)
{
  g_autoptr (TestSink) sink = test_sink_new ();
  g_autoptr (WStreamWritableStream) stream = stream_with_sink (sink, NULL);
  g_autoptr (GInputStream) input = pattern_input_new (1000);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  PipeResult r = { 0 };

  sink->quiet = TRUE;
  TEST_PATTERN_INPUT (input)->hang = TRUE;
  start_pipe (stream, input, WSTREAM_PIPE_FLAGS_PREVENT_ABORT, 0, cancellable, &r);
  while (g_atomic_int_get (&TEST_PATTERN_INPUT (input)->reads_started) == 0)
    g_main_context_iteration (NULL, FALSE);

  g_cancellable_cancel (cancellable);
  run_until_true (&r.done);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (r.bytes, ==, 0);
  /* The read ended before the callback; the stream is untouched. */
  g_assert_false (g_input_stream_has_pending (input));
  g_assert_cmpint (wstream_writable_stream_get_state (stream), ==, WSTREAM_STATE_WRITABLE);
  pipe_result_clear (&r);
}

static void
test_pipe_cancel_waiting_for_ready (void)
{
  g_autoptr (TestSink) sink = test_sink_new ();
  g_autoptr (WStreamWritableStream) stream = NULL;
  g_autoptr (GInputStream) input = memory_input ("abcdef");
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  PipeResult r = { .label = "pipe" };

  sink->write_mode = SINK_DEFER;
  stream = stream_with_sink (sink, NULL);
  log_reset ();
  start_pipe (stream, input, WSTREAM_PIPE_FLAGS_NONE, 2, cancellable, &r);
  run_until_idle ();
  /* "ab" is being written, "cd" was read and waits for ready. */
  assert_log ("sink.write ab");

  g_cancellable_cancel (cancellable);
  run_until_idle ();
  /* The abort waits for the write in flight (this sink ignores the
   * controller's cancellable). */
  g_assert_false (r.done);
  assert_log_empty ();
  test_sink_resolve (sink);
  run_until_true (&r.done);
  assert_log ("sink.abort The pipe was cancelled", "pipe rejected The pipe was cancelled");
  g_assert_cmpuint (r.bytes, ==, 2);
  g_assert_cmpuint (sink->written->len, ==, 1);
  pipe_result_clear (&r);
}

static void
test_pipe_cancel_pending_base_write (void)
{
  g_autoptr (TestVerifyOutput) base = verify_output_new ();
  g_autoptr (WStreamWritableStream) stream = NULL;
  g_autoptr (GInputStream) input = pattern_input_new (10 * MiB);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  PipeResult r = { .label = "pipe" };

  base->hang = TRUE;
  stream = stream_over (G_OUTPUT_STREAM (base), byte_strategy (MiB));
  log_reset ();
  start_pipe (stream, input, WSTREAM_PIPE_FLAGS_NONE, 0, cancellable, &r);
  while (!base->write_pending)
    g_main_context_iteration (NULL, TRUE);

  /* A base write that never finishes by itself: cancelling the pipe aborts
   * the stream, which cancels that write and closes the base stream. */
  g_cancellable_cancel (cancellable);
  run_until_true (&r.done);
  assert_log ("base write pending", "base write cancelled", "pipe rejected The pipe was cancelled");
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (r.bytes, ==, 0);
  g_assert_true (g_output_stream_is_closed (G_OUTPUT_STREAM (base)));
  g_assert_false (g_input_stream_has_pending (input));
  g_assert_cmpint (wstream_writable_stream_get_state (stream), ==, WSTREAM_STATE_ERRORED);
  pipe_result_clear (&r);
}

typedef struct {
  guint64       at;
  GCancellable *cancellable;
} CancelAt;

static void
cancel_at_hook (TestVerifyOutput *self,
                gpointer          data)
{
  CancelAt *c = data;

  if (self->pos >= c->at)
    g_cancellable_cancel (c->cancellable);
}

static void
test_pipe_cancel_midway (void)
{
  g_autoptr (TestVerifyOutput) base = verify_output_new ();
  g_autoptr (WStreamWritableStream) stream = stream_over (G_OUTPUT_STREAM (base), byte_strategy (MiB));
  g_autoptr (GInputStream) input = pattern_input_new (64 * MiB);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  CancelAt c = { 4 * MiB, cancellable };
  PipeResult r = { 0 };

  base->on_write = cancel_at_hook;
  base->hook_data = &c;
  start_pipe (stream, input, WSTREAM_PIPE_FLAGS_NONE, 0, cancellable, &r);
  run_until_true (&r.done);

  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* The copy stopped there: at most the queue was written after the
   * cancellation. (The write during which the pipe was cancelled may be
   * reported as aborted although the base stream took it: GIO's
   * write_all_async reports cancellation when its cancellable was cancelled
   * before it called back.) */
  g_assert_cmpuint (r.bytes, >=, 4 * MiB - 64 * KiB);
  g_assert_cmpuint (base->pos, <=, 4 * MiB + MiB + 64 * KiB);
  g_assert_cmpuint (r.bytes, <=, base->pos);
  g_assert_false (base->mismatch);
  g_assert_true (g_output_stream_is_closed (G_OUTPUT_STREAM (base)));
  g_assert_cmpint (wstream_writable_stream_get_state (stream), ==, WSTREAM_STATE_ERRORED);
  pipe_result_clear (&r);
}

static void
test_pipe_cancel_while_closing (void)
{
  g_autoptr (TestSink) sink = test_sink_new ();
  g_autoptr (WStreamWritableStream) stream = NULL;
  g_autoptr (GInputStream) input = memory_input ("abc");
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  PipeResult r = { .label = "pipe" };

  sink->close_mode = SINK_DEFER;
  stream = stream_with_sink (sink, NULL);
  log_reset ();
  start_pipe (stream, input, WSTREAM_PIPE_FLAGS_NONE, 0, cancellable, &r);
  run_until_idle ();
  assert_log ("sink.write abc", "sink.close");

  /* Too late: the close goes on and the pipe succeeds. */
  g_cancellable_cancel (cancellable);
  run_until_idle ();
  g_assert_false (r.done);
  test_sink_resolve (sink);
  run_until_true (&r.done);
  assert_log ("pipe ok 3");
  g_assert_cmpint (wstream_writable_stream_get_state (stream), ==, WSTREAM_STATE_CLOSED);
  pipe_result_clear (&r);
}

static void
test_pipe_finalizes (void)
{
  g_autoptr (TestVerifyOutput) base = verify_output_new ();
  WStreamWritableStream *stream = stream_over (G_OUTPUT_STREAM (base), NULL);
  GInputStream *input = pattern_input_new (300 * KiB);
  gboolean stream_gone, input_gone, base_gone;
  PipeResult r = { 0 };

  watch_finalize (stream, &stream_gone);
  watch_finalize (input, &input_gone);
  watch_finalize (base, &base_gone);
  start_pipe (stream, input, WSTREAM_PIPE_FLAGS_NONE, 0, NULL, &r);
  /* Drop everything while the pipe runs: the pipe keeps what it needs. */
  g_object_unref (stream);
  g_object_unref (input);
  g_clear_object (&base);
  g_assert_false (stream_gone);
  run_until_true (&r.done);
  g_assert_no_error (r.error);
  g_assert_cmpuint (r.bytes, ==, 300 * KiB);
  run_until_idle ();
  g_assert_true (stream_gone);
  wait_until_finalized (&input_gone);
  wait_until_finalized (&base_gone);
}

/* ---------------------------------------------------------------------- */
/* The GOutputStream facade                                                */
/* ---------------------------------------------------------------------- */

typedef struct {
  gboolean done;
  gssize   result;
  GError  *error;
} SpliceResult;

static void
splice_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  SpliceResult *r = user_data;

  r->result = g_output_stream_splice_finish (G_OUTPUT_STREAM (source), result, &r->error);
  r->done = TRUE;
}

static void
test_output_stream_splice (void)
{
  const guint64 size = LARGE (128 * MiB) + 3;
  const double hwm = 256 * KiB;
  g_autoptr (TestVerifyOutput) base = verify_output_new ();
  g_autoptr (WStreamWritableStream) stream = stream_over (G_OUTPUT_STREAM (base), byte_strategy (hwm));
  g_autoptr (GInputStream) input = pattern_input_new (size);
  g_autoptr (GError) error = NULL;
  g_autoptr (GOutputStream) output = wstream_output_stream_new (stream, &error);
  SpliceResult r = { 0 };

  g_assert_no_error (error);
  g_assert_true (WSTREAM_IS_OUTPUT_STREAM (output));
  g_assert_true (wstream_output_stream_get_stream (WSTREAM_OUTPUT_STREAM (output)) == stream);
  g_assert_true (wstream_writable_stream_is_locked (stream));
  g_assert_true (g_pollable_output_stream_can_poll (G_POLLABLE_OUTPUT_STREAM (output)));

  base->slow = TRUE;
  base->gate = hwm;
  base->gate_total = size;
  flow_reset ();
  g_output_stream_splice_async (output, input,
                                G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE | G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                G_PRIORITY_DEFAULT, NULL, splice_cb, &r);
  run_until_true (&r.done);
  g_assert_no_error (r.error);
  g_assert_cmpint (r.result, ==, (gssize) size);
  /* Closing the facade closed the writable stream, which closed the base. */
  g_assert_cmpuint (base->pos, ==, size);
  g_assert_false (base->mismatch);
  g_assert_true (g_output_stream_is_closed (G_OUTPUT_STREAM (base)));
  g_assert_true (g_input_stream_is_closed (input));
  g_assert_cmpint (wstream_writable_stream_get_state (stream), ==, WSTREAM_STATE_CLOSED);
  g_assert_false (wstream_writable_stream_is_locked (stream));
  /* The splice's writes waited for ready: the queue stays bounded (the
   * splice reads 8 KiB at a time). */
  g_test_message ("max in flight %" G_GUINT64_FORMAT " bytes", flow_get_max_in_flight ());
  g_assert_cmpuint (flow_get_max_in_flight (), <=, (guint64) hwm + 2 * 64 * KiB);
  g_assert_cmpuint (flow_get_max_in_flight (), >=, (guint64) hwm);
  g_clear_error (&r.error);
}

static void
test_output_stream_splice_base_fails (void)
{
  g_autoptr (TestVerifyOutput) base = verify_output_new ();
  g_autoptr (WStreamWritableStream) stream = NULL;
  g_autoptr (GInputStream) input = pattern_input_new (8 * MiB);
  g_autoptr (GOutputStream) output = NULL;
  SpliceResult r = { 0 };

  base->fail_at = MiB + 5;
  stream = stream_over (G_OUTPUT_STREAM (base), byte_strategy (64 * KiB));
  output = wstream_output_stream_new (stream, NULL);
  g_output_stream_splice_async (output, input, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                G_PRIORITY_DEFAULT, NULL, splice_cb, &r);
  run_until_true (&r.done);
  /* The base stream's error comes through both layers unchanged. */
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_assert_cmpuint (base->pos, ==, MiB + 5);
  g_assert_false (base->mismatch);
  g_clear_error (&r.error);
}

static void
write_all_async_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr (GError) error = NULL;
  gsize written = 0;

  if (g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, &written, &error))
    log_event ("write_all ok %" G_GSIZE_FORMAT, written);
  else
    log_event ("write_all rejected %s", error->message);
}

static void close_async_cb (GObject *source, GAsyncResult *result, gpointer user_data);

static void
test_output_stream_write_all_async (void)
{
  const gsize size = 3 * MiB + 17;
  g_autoptr (TestVerifyOutput) base = verify_output_new ();
  g_autoptr (WStreamWritableStream) stream = stream_over (G_OUTPUT_STREAM (base), byte_strategy (64 * KiB));
  g_autoptr (GOutputStream) output = wstream_output_stream_new (stream, NULL);
  g_autofree guint8 *data = g_malloc (size);

  pattern_fill (data, 0, size);
  log_reset ();
  for (guint i = 0; i < 3; i++)
    {
      /* Three writes of a third each; each waits for ready. */
      g_output_stream_write_all_async (output, data + i * (size / 3), i < 2 ? size / 3 : size - 2 * (size / 3),
                                       G_PRIORITY_DEFAULT, NULL, write_all_async_cb, NULL);
      while (log_get ()->len < 1)
        g_main_context_iteration (NULL, TRUE);
      g_assert_cmpstr (log_get ()->pdata[0], ==,
                       i < 2 ? "write_all ok 1048581" : "write_all ok 1048583");
      log_reset ();
    }
  g_output_stream_close_async (output, G_PRIORITY_DEFAULT, NULL, close_async_cb, NULL);
  while (log_get ()->len < 1)
    g_main_context_iteration (NULL, TRUE);
  assert_log ("close ok");
  g_assert_cmpuint (base->pos, ==, size);
  g_assert_false (base->mismatch);
  g_assert_true (g_output_stream_is_closed (G_OUTPUT_STREAM (base)));
}

static gboolean
writable_source_cb (GObject  *stream,
                    gpointer  data)
{
  log_event ("output writable");
  return G_SOURCE_REMOVE;
}

static void
test_output_stream_sync_write_never_blocks (void)
{
  g_autoptr (TestSink) sink = test_sink_new ();
  g_autoptr (WStreamWritableStream) stream = NULL;
  g_autoptr (GOutputStream) output = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GSource) source = NULL;
  GPollableOutputStream *pollable;
  gsize written = 0;

  sink->write_mode = SINK_DEFER;
  stream = stream_with_sink (sink, NULL);   /* count strategy, high-water mark 1 */
  output = wstream_output_stream_new (stream, &error);
  g_assert_no_error (error);
  pollable = G_POLLABLE_OUTPUT_STREAM (output);
  run_until_idle ();   /* started */
  log_reset ();

  g_assert_true (g_pollable_output_stream_is_writable (pollable));
  /* Synchronous writes queue and return at once, even past the mark. */
  g_assert_true (g_output_stream_write_all (output, "one", 3, &written, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (written, ==, 3);
  g_assert_cmpint (g_output_stream_write (output, "two", 3, NULL, &error), ==, 3);
  g_assert_cmpint (g_output_stream_write (output, "three", 5, NULL, &error), ==, 5);
  g_assert_no_error (error);
  assert_log ("sink.write one");

  /* The pollable side reports the backpressure. */
  g_assert_false (g_pollable_output_stream_is_writable (pollable));
  g_assert_cmpint (g_pollable_output_stream_write_nonblocking (pollable, "four", 4, NULL, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
  g_clear_error (&error);

  source = g_pollable_output_stream_create_source (pollable, NULL);
  g_source_set_callback (source, (GSourceFunc) (void (*) (void)) writable_source_cb, NULL, NULL);
  g_source_attach (source, NULL);
  run_until_idle ();
  assert_log_empty ();

  /* The data is written in order as the main context runs. */
  test_sink_resolve (sink);
  run_until_idle ();
  assert_log ("sink.write two");
  test_sink_resolve (sink);
  run_until_idle ();
  assert_log ("sink.write three");
  test_sink_resolve (sink);
  run_until_idle ();
  assert_log ("output writable");

  g_assert_true (g_pollable_output_stream_is_writable (pollable));
  g_assert_cmpint (g_pollable_output_stream_write_nonblocking (pollable, "four", 4, NULL, &error), ==, 4);
  g_assert_no_error (error);
  run_until_idle ();
  assert_log ("sink.write four");
  test_sink_resolve (sink);

  /* A synchronous close does not wait: it starts the close and releases the
   * lock. */
  g_assert_true (g_output_stream_close (output, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (wstream_writable_stream_is_locked (stream));
  run_until_idle ();
  assert_log ("sink.close");
  g_assert_cmpint (wstream_writable_stream_get_state (stream), ==, WSTREAM_STATE_CLOSED);
}

static void
write_async_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (GError) error = NULL;
  gssize n = g_output_stream_write_finish (G_OUTPUT_STREAM (source), result, &error);

  if (n >= 0)
    log_event ("%s ok %" G_GSSIZE_FORMAT, (const char *) user_data, n);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    log_event ("%s cancelled", (const char *) user_data);
  else
    log_event ("%s rejected %s", (const char *) user_data, error->message);
}

static void
flush_async_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (GError) error = NULL;

  if (g_output_stream_flush_finish (G_OUTPUT_STREAM (source), result, &error))
    log_event ("flush ok");
  else
    log_event ("flush rejected %s", error->message);
}

static void
close_async_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (GError) error = NULL;

  if (g_output_stream_close_finish (G_OUTPUT_STREAM (source), result, &error))
    log_event ("close ok");
  else
    log_event ("close rejected %s", error->message);
}

static void
test_output_stream_write_async_waits (void)
{
  g_autoptr (TestSink) sink = test_sink_new ();
  g_autoptr (WStreamWritableStream) stream = NULL;
  g_autoptr (GOutputStream) output = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();

  sink->write_mode = SINK_DEFER;
  stream = stream_with_sink (sink, NULL);
  output = wstream_output_stream_new (stream, NULL);
  log_reset ();

  /* The first write is queued at once; the second waits for ready. */
  g_output_stream_write_async (output, "one", 3, G_PRIORITY_DEFAULT, NULL, write_async_cb, "write one");
  run_until_idle ();
  assert_log ("sink.write one", "write one ok 3");
  g_output_stream_write_async (output, "two", 3, G_PRIORITY_DEFAULT, NULL, write_async_cb, "write two");
  run_until_idle ();
  assert_log_empty ();
  test_sink_resolve (sink);
  run_until_idle ();
  assert_log ("sink.write two", "write two ok 3");

  /* Cancelled while it waits: nothing is queued. */
  g_output_stream_write_async (output, "three", 5, G_PRIORITY_DEFAULT, cancellable, write_async_cb, "write three");
  run_until_idle ();
  g_cancellable_cancel (cancellable);
  run_until_idle ();
  assert_log ("write three cancelled");

  /* flush_async waits until the sink wrote everything. */
  g_output_stream_flush_async (output, G_PRIORITY_DEFAULT, NULL, flush_async_cb, NULL);
  run_until_idle ();
  assert_log_empty ();
  test_sink_resolve (sink);
  run_until_idle ();
  assert_log ("flush ok");

  g_output_stream_close_async (output, G_PRIORITY_DEFAULT, NULL, close_async_cb, NULL);
  run_until_idle ();
  assert_log ("sink.close", "close ok");
  g_assert_cmpuint (sink->written->len, ==, 2);
}

static void
test_output_stream_errors (void)
{
  g_autoptr (TestSink) sink = test_sink_new ();
  g_autoptr (WStreamWritableStream) stream = NULL;
  g_autoptr (GOutputStream) output = NULL;
  g_autoptr (GOutputStream) second = NULL;
  g_autoptr (GError) error = NULL;

  sink->write_mode = SINK_FAIL;
  sink->quiet = TRUE;
  stream = stream_with_sink (sink, NULL);
  output = wstream_output_stream_new (stream, NULL);

  /* A second facade cannot lock the stream. */
  second = wstream_output_stream_new (stream, &error);
  g_assert_null (second);
  g_assert_error (error, WSTREAM_ERROR, WSTREAM_ERROR_LOCKED);
  g_clear_error (&error);

  log_reset ();
  g_assert_cmpint (g_output_stream_write (output, "x", 1, NULL, &error), ==, 1);
  g_assert_no_error (error);
  run_until_idle ();

  /* Every later operation reports the stream's error. */
  g_assert_cmpint (g_output_stream_write (output, "y", 1, NULL, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, "write failed");
  g_clear_error (&error);
  g_assert_true (g_pollable_output_stream_is_writable (G_POLLABLE_OUTPUT_STREAM (output)));
  g_output_stream_write_async (output, "z", 1, G_PRIORITY_DEFAULT, NULL, write_async_cb, "write z");
  run_until_idle ();
  g_output_stream_flush_async (output, G_PRIORITY_DEFAULT, NULL, flush_async_cb, NULL);
  run_until_idle ();
  g_output_stream_close_async (output, G_PRIORITY_DEFAULT, NULL, close_async_cb, NULL);
  run_until_idle ();
  assert_log ("write z rejected write failed", "flush rejected write failed",
              "close rejected write failed");
  g_assert_true (g_output_stream_is_closed (output));
  g_assert_false (wstream_writable_stream_is_locked (stream));
}

static void
test_output_stream_dispose_closes (void)
{
  g_autoptr (TestSink) sink = test_sink_new ();
  g_autoptr (WStreamWritableStream) stream = stream_with_sink (sink, NULL);
  GOutputStream *output = wstream_output_stream_new (stream, NULL);
  gboolean output_gone;

  watch_finalize (output, &output_gone);
  log_reset ();
  g_assert_cmpint (g_output_stream_write (output, "last", 4, NULL, NULL), ==, 4);
  g_object_unref (output);
  run_until_idle ();
  /* Pending writes keep the facade alive until they are done; then
   * dropping it closes the writable stream. */
  g_assert_true (output_gone);
  assert_log ("sink.write last", "sink.close");
  g_assert_cmpint (wstream_writable_stream_get_state (stream), ==, WSTREAM_STATE_CLOSED);
  g_assert_false (wstream_writable_stream_is_locked (stream));
}

int
main (int argc, char **argv)
{
  const char *scale_env = g_getenv ("WSTREAM_TEST_GIO_SCALE");

  g_test_init (&argc, &argv, NULL);
  if (scale_env != NULL && g_ascii_strtoull (scale_env, NULL, 10) > 0)
    scale = g_ascii_strtoull (scale_env, NULL, 10);

  g_test_add_func ("/gio/sink/takes-bytes-byte-arrays-and-strings", test_sink_chunk_types);
  g_test_add_func ("/gio/sink/rejects-other-chunk-types", test_sink_invalid_chunk);
  g_test_add_func ("/gio/sink/passes-a-base-stream-error-on-unchanged", test_sink_base_fails_midway);
  g_test_add_func ("/gio/sink/abort-cancels-the-pending-base-write", test_sink_abort_pending_write);
  g_test_add_func ("/gio/sink/abort-keeps-a-replaced-file", test_sink_abort_keeps_replaced_file);
  g_test_add_func ("/gio/sink/can-leave-the-base-stream-open", test_sink_keep_base_open);
  g_test_add_func ("/gio/sink/refuses-a-closed-base-stream", test_sink_closed_base);
  g_test_add_func ("/gio/sink/pollable/writes-at-once-without-a-round-trip", test_sink_pollable_writes_at_once);
  g_test_add_func ("/gio/sink/pollable/slow-reader-pipe-gets-every-byte", test_sink_pollable_slow_reader);
  g_test_add_func ("/gio/sink/pollable/abort-during-a-pending-write", test_sink_pollable_abort_pending_write);
  g_test_add_func ("/gio/sink/blocking-writes/copies-a-file-byte-for-byte", test_sink_blocking_writes_file);
  g_test_add_func ("/gio/sink/blocking-writes/pass-a-base-error-on-unchanged", test_sink_blocking_writes_base_fails);
  g_test_add_func ("/gio/pipe/writes-each-read-then-closes", test_pipe_events);
  g_test_add_func ("/gio/pipe/prevent-close-leaves-the-stream-open", test_pipe_prevent_close);
  g_test_add_func ("/gio/pipe/fails-on-a-locked-stream", test_pipe_locked);
  g_test_add_func ("/gio/pipe/fails-on-an-errored-or-closing-stream", test_pipe_into_errored_or_closed);
  g_test_add_func ("/gio/pipe/copies-256-mib-with-bounded-memory", test_pipe_large_copy);
  g_test_add_data_func ("/gio/pipe/copies-a-file-byte-for-byte", GINT_TO_POINTER (FALSE), test_pipe_file_copy);
  g_test_add_data_func ("/gio/pipe/blocking/copies-a-file-byte-for-byte", GINT_TO_POINTER (TRUE), test_pipe_file_copy);
  g_test_add_func ("/gio/pipe/reads-a-pollable-input-without-blocking", test_pipe_pollable_input);
  g_test_add_func ("/gio/pipe/inline-reads-are-bounded", test_pipe_inline_reads_are_bounded);
  g_test_add_func ("/gio/pipe/base-stream-fails-midway", test_pipe_base_fails_midway);
  g_test_add_func ("/gio/pipe/input-fails-midway-and-aborts", test_pipe_input_fails_midway);
  g_test_add_func ("/gio/pipe/input-fails-with-prevent-abort", test_pipe_input_fails_prevent_abort);
  g_test_add_func ("/gio/pipe/stops-when-the-stream-errors", test_pipe_stream_errors);
  g_test_add_func ("/gio/pipe/cancel/before-start", test_pipe_cancel_before_start);
  g_test_add_func ("/gio/pipe/cancel/during-a-read", test_pipe_cancel_during_read);
  g_test_add_func ("/gio/pipe/cancel/while-waiting-for-ready", test_pipe_cancel_waiting_for_ready);
  g_test_add_func ("/gio/pipe/cancel/during-a-pending-base-write", test_pipe_cancel_pending_base_write);
  g_test_add_func ("/gio/pipe/cancel/midway-through-a-copy", test_pipe_cancel_midway);
  g_test_add_func ("/gio/pipe/cancel/while-closing-changes-nothing", test_pipe_cancel_while_closing);
  g_test_add_func ("/gio/pipe/keeps-what-it-needs-alive", test_pipe_finalizes);
  g_test_add_func ("/gio/output-stream/splice-async-copies-with-backpressure", test_output_stream_splice);
  g_test_add_func ("/gio/output-stream/splice-reports-the-base-error", test_output_stream_splice_base_fails);
  g_test_add_func ("/gio/output-stream/write-all-async-copies", test_output_stream_write_all_async);
  g_test_add_func ("/gio/output-stream/sync-write-queues-and-never-blocks", test_output_stream_sync_write_never_blocks);
  g_test_add_func ("/gio/output-stream/write-async-waits-for-ready", test_output_stream_write_async_waits);
  g_test_add_func ("/gio/output-stream/reports-the-stream-error", test_output_stream_errors);
  g_test_add_func ("/gio/output-stream/dispose-closes-the-stream", test_output_stream_dispose_closes);

  return g_test_run ();
}
