/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Queuing strategies: high-water marks, sizes, and their errors. */
#include <math.h>

#include "test-util.h"

static gboolean
measure (WStreamQueuingStrategy *strategy,
         const GValue           *chunk,
         double                 *size,
         GError                **error)
{
  return wstream_queuing_strategy_size (strategy, chunk, size, error);
}

static void
test_count (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WStreamQueuingStrategy) strategy = wstream_queuing_strategy_new_count (3, &error);
  GValue value = G_VALUE_INIT;
  double size = -1;

  g_assert_no_error (error);
  g_assert_cmpfloat (wstream_queuing_strategy_get_high_water_mark (strategy), ==, 3);
  g_assert_cmpint (wstream_queuing_strategy_get_kind (strategy), ==, WSTREAM_STRATEGY_KIND_COUNT);

  g_value_init (&value, G_TYPE_INT);
  g_value_set_int (&value, 12345);
  g_assert_true (measure (strategy, &value, &size, &error));
  g_assert_cmpfloat (size, ==, 1);
  g_value_unset (&value);

  /* Any type counts 1, objects included. */
  g_value_init (&value, G_TYPE_OBJECT);
  g_value_set_object (&value, strategy);
  size = -1;
  g_assert_true (measure (strategy, &value, &size, &error));
  g_assert_cmpfloat (size, ==, 1);
  g_value_unset (&value);
}

static void
test_byte_length (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WStreamQueuingStrategy) strategy = wstream_queuing_strategy_new_byte_length (16, &error);
  g_autoptr (GBytes) bytes = g_bytes_new_static ("hello", 5);
  g_autoptr (GByteArray) array = g_byte_array_new ();
  GString *string = g_string_new ("four");
  GValue value = G_VALUE_INIT;
  double size = -1;

  g_assert_no_error (error);
  g_assert_cmpint (wstream_queuing_strategy_get_kind (strategy), ==, WSTREAM_STRATEGY_KIND_BYTE_LENGTH);

  g_value_init (&value, G_TYPE_BYTES);
  g_value_set_boxed (&value, bytes);
  g_assert_true (measure (strategy, &value, &size, &error));
  g_assert_cmpfloat (size, ==, 5);
  g_value_unset (&value);

  g_byte_array_append (array, (const guint8 *) "abcdefg", 7);
  g_value_init (&value, G_TYPE_BYTE_ARRAY);
  g_value_set_boxed (&value, array);
  g_assert_true (measure (strategy, &value, &size, &error));
  g_assert_cmpfloat (size, ==, 7);
  g_value_unset (&value);

  g_value_init (&value, G_TYPE_GSTRING);
  g_value_take_boxed (&value, string);
  g_assert_true (measure (strategy, &value, &size, &error));
  g_assert_cmpfloat (size, ==, 4);
  g_value_unset (&value);

  /* A string counts its UTF-8 bytes without the nul. */
  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, "h\xc3\xa9");
  g_assert_true (measure (strategy, &value, &size, &error));
  g_assert_cmpfloat (size, ==, 3);
  g_value_unset (&value);

  /* Other types, and NULL strings, are a clear error. */
  g_value_init (&value, G_TYPE_INT);
  g_value_set_int (&value, 1);
  g_assert_false (measure (strategy, &value, &size, &error));
  g_assert_error (error, WSTREAM_ERROR, WSTREAM_ERROR_INVALID_CHUNK_TYPE);
  g_assert_nonnull (strstr (error->message, "gint"));
  g_clear_error (&error);
  g_value_unset (&value);

  g_value_init (&value, G_TYPE_STRING);
  g_assert_false (measure (strategy, &value, &size, &error));
  g_assert_error (error, WSTREAM_ERROR, WSTREAM_ERROR_INVALID_CHUNK_TYPE);
  g_clear_error (&error);
  g_value_unset (&value);
}

static double next_size;
static int destroyed;

static gboolean
custom_size (const GValue  *chunk,
             double        *out_size,
             gpointer       user_data,
             GError       **error)
{
  if (G_VALUE_HOLDS_STRING (chunk) && g_strcmp0 (g_value_get_string (chunk), "fail") == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "cannot measure");
      return FALSE;
    }
  if (G_VALUE_HOLDS_STRING (chunk) && g_strcmp0 (g_value_get_string (chunk), "silent") == 0)
    return FALSE;
  *out_size = next_size;
  return TRUE;
}

static void
count_destroy (gpointer data)
{
  destroyed++;
}

static void
test_custom (void)
{
  g_autoptr (GError) error = NULL;
  WStreamQueuingStrategy *strategy;
  GValue value = G_VALUE_INIT;
  double size = -1;
  const double invalid[] = { NAN, -1, -INFINITY, INFINITY };

  destroyed = 0;
  strategy = wstream_queuing_strategy_new_custom (10, custom_size, NULL, count_destroy, &error);
  g_assert_no_error (error);
  g_assert_cmpint (wstream_queuing_strategy_get_kind (strategy), ==, WSTREAM_STRATEGY_KIND_CUSTOM);

  value_set_string_chunk (&value, "x");
  next_size = 2.5;
  g_assert_true (measure (strategy, &value, &size, &error));
  g_assert_cmpfloat (size, ==, 2.5);
  next_size = 0;
  g_assert_true (measure (strategy, &value, &size, &error));
  g_assert_cmpfloat (size, ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      next_size = invalid[i];
      g_assert_false (measure (strategy, &value, &size, &error));
      g_assert_error (error, WSTREAM_ERROR, WSTREAM_ERROR_INVALID_SIZE);
      g_clear_error (&error);
    }
  g_value_unset (&value);

  value_set_string_chunk (&value, "fail");
  g_assert_false (measure (strategy, &value, &size, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_value_unset (&value);

  value_set_string_chunk (&value, "silent");
  g_assert_false (measure (strategy, &value, &size, &error));
  g_assert_error (error, WSTREAM_ERROR, WSTREAM_ERROR_FAILED);
  g_clear_error (&error);
  g_value_unset (&value);

  g_assert_cmpint (destroyed, ==, 0);
  g_object_unref (strategy);
  g_assert_cmpint (destroyed, ==, 1);

  /* An invalid high-water mark frees the data at once. */
  g_assert_null (wstream_queuing_strategy_new_custom (NAN, custom_size, NULL, count_destroy, &error));
  g_assert_error (error, WSTREAM_ERROR, WSTREAM_ERROR_INVALID_HIGH_WATER_MARK);
  g_assert_cmpint (destroyed, ==, 2);
}

/* A subclass that overrides the size vfunc, as a binding does. */
typedef struct { WStreamQueuingStrategy parent; } DoubleStrategy;
typedef struct { WStreamQueuingStrategyClass parent_class; } DoubleStrategyClass;
static GType double_strategy_get_type (void);
G_DEFINE_TYPE (DoubleStrategy, double_strategy, WSTREAM_TYPE_QUEUING_STRATEGY)

static gboolean
double_strategy_size (WStreamQueuingStrategy  *self,
                      const GValue            *chunk,
                      double                  *out_size,
                      GError                 **error)
{
  *out_size = 2 * strlen (g_value_get_string (chunk));
  return TRUE;
}

static void
double_strategy_class_init (DoubleStrategyClass *klass)
{
  WSTREAM_QUEUING_STRATEGY_CLASS (klass)->size = double_strategy_size;
}

static void
double_strategy_init (DoubleStrategy *self)
{
}

static void
test_subclass (void)
{
  g_autoptr (WStreamQueuingStrategy) strategy =
    g_object_new (double_strategy_get_type (), "high-water-mark", 8.0, NULL);
  g_autoptr (GError) error = NULL;
  GValue value = G_VALUE_INIT;
  double size = -1;

  value_set_string_chunk (&value, "abc");
  g_assert_true (measure (strategy, &value, &size, &error));
  g_assert_cmpfloat (size, ==, 6);
  g_assert_true (wstream_queuing_strategy_validate (strategy, &error));
  g_value_unset (&value);
}

static void
test_high_water_marks (void)
{
  g_autoptr (GError) error = NULL;
  const double invalid[] = { NAN, -1, -0.5, -INFINITY };
  const double valid[] = { 0, 0.5, 1, 1e9, INFINITY };

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_assert_null (wstream_queuing_strategy_new_count (invalid[i], &error));
      g_assert_error (error, WSTREAM_ERROR, WSTREAM_ERROR_INVALID_HIGH_WATER_MARK);
      g_clear_error (&error);
      g_assert_null (wstream_queuing_strategy_new_byte_length (invalid[i], &error));
      g_assert_error (error, WSTREAM_ERROR, WSTREAM_ERROR_INVALID_HIGH_WATER_MARK);
      g_clear_error (&error);

      /* A strategy made with g_object_new() is checked by the stream
       * (GObject itself refuses NaN for a double property). */
      if (!isnan (invalid[i]))
      {
        g_autoptr (WStreamQueuingStrategy) strategy =
          g_object_new (WSTREAM_TYPE_QUEUING_STRATEGY, "high-water-mark", invalid[i], NULL);

        g_assert_false (wstream_queuing_strategy_validate (strategy, &error));
        g_assert_error (error, WSTREAM_ERROR, WSTREAM_ERROR_INVALID_HIGH_WATER_MARK);
        g_clear_error (&error);
        g_assert_null (wstream_writable_stream_new (NULL, strategy, &error));
        g_assert_error (error, WSTREAM_ERROR, WSTREAM_ERROR_INVALID_HIGH_WATER_MARK);
        g_clear_error (&error);
      }
    }

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_autoptr (WStreamQueuingStrategy) strategy = wstream_queuing_strategy_new_count (valid[i], &error);
      g_autoptr (WStreamWritableStream) stream = NULL;
      g_autoptr (WStreamDefaultWriter) writer = NULL;
      double desired = -1;

      g_assert_no_error (error);
      g_assert_cmpfloat (wstream_queuing_strategy_get_high_water_mark (strategy), ==, valid[i]);
      stream = wstream_writable_stream_new (NULL, strategy, &error);
      g_assert_no_error (error);
      writer = wstream_writable_stream_get_writer (stream, &error);
      g_assert_true (wstream_default_writer_get_desired_size (writer, &desired, &error));
      g_assert_cmpfloat (desired, ==, valid[i]);
      run_until_idle ();
    }
}

static void
test_default_strategy (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WStreamWritableStream) stream = wstream_writable_stream_new (NULL, NULL, &error);
  WStreamQueuingStrategy *strategy;

  g_assert_no_error (error);
  strategy = wstream_writable_stream_get_strategy (stream);
  g_assert_cmpint (wstream_queuing_strategy_get_kind (strategy), ==, WSTREAM_STRATEGY_KIND_COUNT);
  g_assert_cmpfloat (wstream_queuing_strategy_get_high_water_mark (strategy), ==, 1);
  run_until_idle ();
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/strategy/count/every-chunk-counts-one", test_count);
  g_test_add_func ("/strategy/byte-length/known-types-and-errors", test_byte_length);
  g_test_add_func ("/strategy/custom/size-function-and-invalid-sizes", test_custom);
  g_test_add_func ("/strategy/custom/subclass-overrides-size", test_subclass);
  g_test_add_func ("/strategy/high-water-mark/invalid-and-valid", test_high_water_marks);
  g_test_add_func ("/strategy/default-is-count-one", test_default_strategy);

  return g_test_run ();
}
