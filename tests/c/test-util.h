/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared helpers of the C tests: an event log, a scriptable sink, async
 * callbacks that log their outcome, and main-loop helpers. */
#pragma once

#include <wstream.h>

G_BEGIN_DECLS

/* The event log: every test records what happened, in order, and compares
 * the whole sequence. */
void         log_reset      (void);
void         log_event      (const char *format, ...) G_GNUC_PRINTF (1, 2);
GPtrArray   *log_get        (void);
char        *log_joined     (void);
/* Compares the log with a NULL-terminated list and resets it. */
#define assert_log(...) assert_log_impl (__FILE__, __LINE__, (const char *[]) { __VA_ARGS__, NULL })
void         assert_log_impl (const char *file, int line, const char **expected);

/* Runs the thread-default main context until nothing is ready. */
void         run_until_idle (void);
/* Runs it until *flag is TRUE (with a generous safety timeout that fails). */
void         run_until_true (const gboolean *flag);

char        *chunk_to_string (const GValue *chunk);
void         value_set_string_chunk (GValue *value, const char *s);

/* Callbacks that log "<label> ok" or "<label> rejected <message>";
 * user_data is the label (a static string). */
void         cb_write        (GObject *source, GAsyncResult *result, gpointer user_data);
void         cb_close        (GObject *source, GAsyncResult *result, gpointer user_data);
void         cb_abort        (GObject *source, GAsyncResult *result, gpointer user_data);
void         cb_ready        (GObject *source, GAsyncResult *result, gpointer user_data);
void         cb_closed       (GObject *source, GAsyncResult *result, gpointer user_data);
void         cb_stream_close (GObject *source, GAsyncResult *result, gpointer user_data);
void         cb_stream_abort (GObject *source, GAsyncResult *result, gpointer user_data);
void         cb_promise_wait (GObject *source, GAsyncResult *result, gpointer user_data);

/* Writes a string chunk; label defaults to "write <s>". */
void         write_str       (WStreamDefaultWriter *writer, const char *s, gboolean with_callback);

GError      *make_error      (const char *message);
const char  *error_to_string (const GError *error);
/* Logs "desired N", "desired null" (errored/erroring) or "desired threw
 * TypeError" (released). */
void         log_desired     (WStreamDefaultWriter *writer);

/* A scriptable sink: how each operation behaves, what it logs. */
typedef enum {
  SINK_OK,           /* returns TRUE now */
  SINK_FAIL,         /* returns FALSE with an error "<op> failed" */
  SINK_FAIL_NO_ERROR,/* returns FALSE without an error */
  SINK_DEFER,        /* defers: the promise is kept in sink->pending */
} SinkMode;

#define TEST_TYPE_SINK (test_sink_get_type ())
G_DECLARE_FINAL_TYPE (TestSink, test_sink, TEST, SINK, GObject)

typedef void (*TestSinkHook) (TestSink *sink, const GValue *chunk, gpointer data);

struct _TestSink
{
  GObject parent_instance;
  SinkMode start_mode, write_mode, close_mode, abort_mode;
  WStreamDefaultController *controller;    /* from start */
  WStreamPromise *pending;                 /* the last deferred promise */
  GPtrArray *written;                      /* strings of written chunks */
  TestSinkHook on_write;                   /* runs inside write, before returning */
  TestSinkHook on_start;
  gpointer hook_data;
  gboolean quiet;                          /* do not log sink calls */
};

TestSink *test_sink_new     (void);
/* Settles sink->pending (and drops it). */
void      test_sink_resolve (TestSink *sink);
void      test_sink_reject  (TestSink *sink, const char *message);

G_END_DECLS
