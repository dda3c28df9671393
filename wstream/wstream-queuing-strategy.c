/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <math.h>

#include "wstream-private.h"

/**
 * WStreamQueuingStrategy:
 *
 * How much a stream may queue before it applies backpressure: a high-water
 * mark and a way to measure chunks. It is the Standard's `QueuingStrategy`
 * dictionary, `CountQueuingStrategy` and `ByteLengthQueuingStrategy` in one
 * class.
 *
 * - [ctor@WStream.QueuingStrategy.new_count]: every chunk counts 1.
 * - [ctor@WStream.QueuingStrategy.new_byte_length]: a chunk counts its length
 *   in bytes (#GBytes, #GByteArray, #GString, strings; any other type is an
 *   error, which errors the stream).
 * - [ctor@WStream.QueuingStrategy.new_custom]: a #WStreamSizeFunc measures.
 * - A subclass that overrides the `size` vfunc (in C, Python or JavaScript)
 *   measures as it likes.
 *
 * The high-water mark may be any non-negative number including +∞; NaN or a
 * negative number is rejected with %WSTREAM_ERROR_INVALID_HIGH_WATER_MARK
 * (a `RangeError` in the Standard), by the constructors here and by
 * [ctor@WStream.WritableStream.new] for a strategy made with g_object_new().
 * A size must be a finite non-negative number: NaN, a negative number or +∞
 * is %WSTREAM_ERROR_INVALID_SIZE.
 */

typedef struct
{
  double               high_water_mark;
  WStreamStrategyKind  kind;
  WStreamSizeFunc      size_func;
  gpointer             size_data;
  GDestroyNotify       size_destroy;
} WStreamQueuingStrategyPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (WStreamQueuingStrategy, wstream_queuing_strategy, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_HIGH_WATER_MARK,
  PROP_KIND,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
byte_length_of (const GValue  *chunk,
                double        *out_size,
                GError       **error)
{
  GType type = G_VALUE_TYPE (chunk);

  if (type == G_TYPE_BYTES && g_value_get_boxed (chunk) != NULL)
    {
      *out_size = g_bytes_get_size (g_value_get_boxed (chunk));
      return TRUE;
    }
  if (type == G_TYPE_BYTE_ARRAY && g_value_get_boxed (chunk) != NULL)
    {
      *out_size = ((GByteArray *) g_value_get_boxed (chunk))->len;
      return TRUE;
    }
  if (type == G_TYPE_GSTRING && g_value_get_boxed (chunk) != NULL)
    {
      *out_size = ((GString *) g_value_get_boxed (chunk))->len;
      return TRUE;
    }
  if (type == G_TYPE_STRING && g_value_get_string (chunk) != NULL)
    {
      *out_size = strlen (g_value_get_string (chunk));
      return TRUE;
    }

  g_set_error (error, WSTREAM_ERROR, WSTREAM_ERROR_INVALID_CHUNK_TYPE,
               "The byte-length strategy cannot measure a chunk of type %s: "
               "write GBytes, GByteArray, GString or a non-NULL string",
               g_type_name (type) ? g_type_name (type) : "(invalid)");
  return FALSE;
}

static gboolean
wstream_queuing_strategy_real_size (WStreamQueuingStrategy  *self,
                                    const GValue            *chunk,
                                    double                  *out_size,
                                    GError                 **error)
{
  WStreamQueuingStrategyPrivate *priv = wstream_queuing_strategy_get_instance_private (self);

  switch (priv->kind)
    {
    case WSTREAM_STRATEGY_KIND_COUNT:
      *out_size = 1;
      return TRUE;
    case WSTREAM_STRATEGY_KIND_BYTE_LENGTH:
      return byte_length_of (chunk, out_size, error);
    case WSTREAM_STRATEGY_KIND_CUSTOM:
      if (priv->size_func == NULL)
        {
          g_set_error_literal (error, WSTREAM_ERROR, WSTREAM_ERROR_FAILED,
                               "A custom strategy needs a size function or a subclass "
                               "that overrides the size vfunc");
          return FALSE;
        }
      return priv->size_func (chunk, out_size, priv->size_data, error);
    default:
      g_assert_not_reached ();
    }
}

static void
wstream_queuing_strategy_finalize (GObject *object)
{
  WStreamQueuingStrategy *self = WSTREAM_QUEUING_STRATEGY (object);
  WStreamQueuingStrategyPrivate *priv = wstream_queuing_strategy_get_instance_private (self);

  if (priv->size_destroy != NULL)
    priv->size_destroy (priv->size_data);

  G_OBJECT_CLASS (wstream_queuing_strategy_parent_class)->finalize (object);
}

static void
wstream_queuing_strategy_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  WStreamQueuingStrategy *self = WSTREAM_QUEUING_STRATEGY (object);
  WStreamQueuingStrategyPrivate *priv = wstream_queuing_strategy_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_HIGH_WATER_MARK:
      g_value_set_double (value, priv->high_water_mark);
      break;
    case PROP_KIND:
      g_value_set_enum (value, priv->kind);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wstream_queuing_strategy_set_property (GObject      *object,
                                       guint         prop_id,
                                       const GValue *value,
                                       GParamSpec   *pspec)
{
  WStreamQueuingStrategy *self = WSTREAM_QUEUING_STRATEGY (object);
  WStreamQueuingStrategyPrivate *priv = wstream_queuing_strategy_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_HIGH_WATER_MARK:
      priv->high_water_mark = g_value_get_double (value);
      break;
    case PROP_KIND:
      priv->kind = g_value_get_enum (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wstream_queuing_strategy_class_init (WStreamQueuingStrategyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = wstream_queuing_strategy_finalize;
  object_class->get_property = wstream_queuing_strategy_get_property;
  object_class->set_property = wstream_queuing_strategy_set_property;

  klass->size = wstream_queuing_strategy_real_size;

  /**
   * WStreamQueuingStrategy:high-water-mark:
   *
   * How much the stream may queue, in the units of the size, before it
   * applies backpressure: the Standard's `highWaterMark`. Any non-negative
   * number including +∞; NaN and negative numbers are accepted by the
   * property but rejected when a stream is made with the strategy.
   */
  properties[PROP_HIGH_WATER_MARK] =
    g_param_spec_double ("high-water-mark", NULL, NULL,
                         -INFINITY, INFINITY, 1,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * WStreamQueuingStrategy:kind:
   *
   * How the strategy measures chunks when the `size` vfunc is not
   * overridden. A subclass that overrides `size` may leave it at the default.
   */
  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL,
                       WSTREAM_TYPE_STRATEGY_KIND, WSTREAM_STRATEGY_KIND_COUNT,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
wstream_queuing_strategy_init (WStreamQueuingStrategy *self)
{
  WStreamQueuingStrategyPrivate *priv = wstream_queuing_strategy_get_instance_private (self);

  priv->high_water_mark = 1;
}

static gboolean
check_high_water_mark (double   high_water_mark,
                       GError **error)
{
  /* https://streams.spec.whatwg.org/#validate-and-normalize-high-water-mark */
  if (isnan (high_water_mark) || high_water_mark < 0)
    {
      g_set_error (error, WSTREAM_ERROR, WSTREAM_ERROR_INVALID_HIGH_WATER_MARK,
                   "Invalid high-water mark %g: it must be a non-negative number or +inf",
                   high_water_mark);
      return FALSE;
    }
  return TRUE;
}

static WStreamQueuingStrategy *
new_of_kind (double                high_water_mark,
             WStreamStrategyKind   kind,
             GError              **error)
{
  if (!check_high_water_mark (high_water_mark, error))
    return NULL;

  return g_object_new (WSTREAM_TYPE_QUEUING_STRATEGY,
                       "high-water-mark", high_water_mark,
                       "kind", kind,
                       NULL);
}

/**
 * wstream_queuing_strategy_new_count:
 * @high_water_mark: how many chunks may be queued before backpressure
 * @error: return location for an error
 *
 * Makes a strategy that counts chunks, as `new CountQueuingStrategy({
 * highWaterMark })` does.
 *
 * Returns: (transfer full): a new strategy, or %NULL with
 *   %WSTREAM_ERROR_INVALID_HIGH_WATER_MARK if @high_water_mark is NaN or
 *   negative
 */
WStreamQueuingStrategy *
wstream_queuing_strategy_new_count (double   high_water_mark,
                                    GError **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return new_of_kind (high_water_mark, WSTREAM_STRATEGY_KIND_COUNT, error);
}

/**
 * wstream_queuing_strategy_new_byte_length:
 * @high_water_mark: how many bytes may be queued before backpressure
 * @error: return location for an error
 *
 * Makes a strategy that measures chunks in bytes, as `new
 * ByteLengthQueuingStrategy({ highWaterMark })` does. It knows #GBytes,
 * #GByteArray, #GString and strings (their length in bytes, without the
 * terminating nul); another chunk type makes the size fail with
 * %WSTREAM_ERROR_INVALID_CHUNK_TYPE, which errors the stream.
 *
 * Returns: (transfer full): a new strategy, or %NULL with
 *   %WSTREAM_ERROR_INVALID_HIGH_WATER_MARK if @high_water_mark is NaN or
 *   negative
 */
WStreamQueuingStrategy *
wstream_queuing_strategy_new_byte_length (double   high_water_mark,
                                          GError **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return new_of_kind (high_water_mark, WSTREAM_STRATEGY_KIND_BYTE_LENGTH, error);
}

/**
 * wstream_queuing_strategy_new_custom:
 * @high_water_mark: how much may be queued, in the units of @size_func
 * @size_func: (scope notified) (closure user_data) (destroy destroy): measures a chunk
 * @user_data: data for @size_func
 * @destroy: (nullable): frees @user_data when the strategy is finalized
 * @error: return location for an error
 *
 * Makes a strategy with a size function of your own, as a `{ highWaterMark,
 * size }` object does in the Standard. The stream calls @size_func
 * synchronously from [method@WStream.DefaultWriter.write_async]; it may
 * re-enter the stream.
 *
 * Returns: (transfer full): a new strategy, or %NULL with
 *   %WSTREAM_ERROR_INVALID_HIGH_WATER_MARK if @high_water_mark is NaN or
 *   negative
 */
WStreamQueuingStrategy *
wstream_queuing_strategy_new_custom (double           high_water_mark,
                                     WStreamSizeFunc  size_func,
                                     gpointer         user_data,
                                     GDestroyNotify   destroy,
                                     GError         **error)
{
  WStreamQueuingStrategy *self;
  WStreamQueuingStrategyPrivate *priv;

  g_return_val_if_fail (size_func != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_high_water_mark (high_water_mark, error))
    {
      if (destroy != NULL)
        destroy (user_data);
      return NULL;
    }

  self = new_of_kind (high_water_mark, WSTREAM_STRATEGY_KIND_CUSTOM, NULL);
  priv = wstream_queuing_strategy_get_instance_private (self);
  priv->size_func = size_func;
  priv->size_data = user_data;
  priv->size_destroy = destroy;
  return self;
}

/**
 * wstream_queuing_strategy_get_high_water_mark:
 * @self: a #WStreamQueuingStrategy
 *
 * The high-water mark of @self.
 *
 * Returns: the high-water mark
 */
double
wstream_queuing_strategy_get_high_water_mark (WStreamQueuingStrategy *self)
{
  WStreamQueuingStrategyPrivate *priv;

  g_return_val_if_fail (WSTREAM_IS_QUEUING_STRATEGY (self), NAN);
  priv = wstream_queuing_strategy_get_instance_private (self);
  return priv->high_water_mark;
}

/**
 * wstream_queuing_strategy_get_kind:
 * @self: a #WStreamQueuingStrategy
 *
 * How @self measures chunks when its `size` vfunc is not overridden.
 *
 * Returns: the kind of @self
 */
WStreamStrategyKind
wstream_queuing_strategy_get_kind (WStreamQueuingStrategy *self)
{
  WStreamQueuingStrategyPrivate *priv;

  g_return_val_if_fail (WSTREAM_IS_QUEUING_STRATEGY (self), WSTREAM_STRATEGY_KIND_COUNT);
  priv = wstream_queuing_strategy_get_instance_private (self);
  return priv->kind;
}

/**
 * wstream_queuing_strategy_validate:
 * @self: a #WStreamQueuingStrategy
 * @error: return location for an error
 *
 * Checks the high-water mark of @self, as the Standard's
 * `ExtractHighWaterMark` does when a stream is made.
 *
 * Returns: %TRUE if the high-water mark is a non-negative number (+∞
 *   included), %FALSE with %WSTREAM_ERROR_INVALID_HIGH_WATER_MARK otherwise
 */
gboolean
wstream_queuing_strategy_validate (WStreamQueuingStrategy  *self,
                                   GError                 **error)
{
  g_return_val_if_fail (WSTREAM_IS_QUEUING_STRATEGY (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return check_high_water_mark (wstream_queuing_strategy_get_high_water_mark (self), error);
}

/* The strategy's size algorithm as the stream calls it: only the size
 * function's own failure is an error here; the stream checks the number
 * later, when it enqueues the chunk (EnqueueValueWithSize). */
gboolean
wstream_queuing_strategy_measure (WStreamQueuingStrategy  *self,
                                  const GValue            *chunk,
                                  double                  *out_size,
                                  GError                 **error)
{
  g_autoptr (GError) local_error = NULL;
  double size = NAN;

  if (!WSTREAM_QUEUING_STRATEGY_GET_CLASS (self)->size (self, chunk, &size, &local_error))
    {
      if (local_error == NULL)
        local_error = g_error_new_literal (WSTREAM_ERROR, WSTREAM_ERROR_FAILED,
                                           "The size function failed without saying why");
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (local_error != NULL)
    {
      /* A binding set an error and still returned TRUE: trust the error. */
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  *out_size = size;
  return TRUE;
}

/* https://streams.spec.whatwg.org/#enqueue-value-with-size: "If !
 * IsNonNegativeNumber(size) is false, throw a RangeError. If size is +∞,
 * throw a RangeError." */
gboolean
wstream_check_chunk_size (double   size,
                          GError **error)
{
  if (isnan (size) || size < 0 || isinf (size))
    {
      g_set_error (error, WSTREAM_ERROR, WSTREAM_ERROR_INVALID_SIZE,
                   "Invalid chunk size %g: a size must be a finite non-negative number",
                   size);
      return FALSE;
    }
  return TRUE;
}

/**
 * wstream_queuing_strategy_size:
 * @self: a #WStreamQueuingStrategy
 * @chunk: the chunk to measure
 * @out_size: (out): return location for the size
 * @error: return location for an error
 *
 * Measures @chunk with the `size` vfunc of @self and checks the result, as
 * the stream does for every chunk written.
 *
 * Returns: %TRUE with @out_size set to a finite non-negative number;
 *   %FALSE with @error set if the size function failed (a vfunc that returns
 *   %FALSE without an error gives %WSTREAM_ERROR_FAILED), or gave NaN, a
 *   negative number or +∞ (%WSTREAM_ERROR_INVALID_SIZE)
 */
gboolean
wstream_queuing_strategy_size (WStreamQueuingStrategy  *self,
                               const GValue            *chunk,
                               double                  *out_size,
                               GError                 **error)
{
  double size;

  g_return_val_if_fail (WSTREAM_IS_QUEUING_STRATEGY (self), FALSE);
  g_return_val_if_fail (G_IS_VALUE (chunk), FALSE);
  g_return_val_if_fail (out_size != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!wstream_queuing_strategy_measure (self, chunk, &size, error) ||
      !wstream_check_chunk_size (size, error))
    return FALSE;

  *out_size = size;
  return TRUE;
}

/* Whether the size of every chunk is 1 without calling anything. */
gboolean
wstream_queuing_strategy_is_plain_count (WStreamQueuingStrategy *strategy)
{
  WStreamQueuingStrategyPrivate *priv = wstream_queuing_strategy_get_instance_private (strategy);

  return priv->kind == WSTREAM_STRATEGY_KIND_COUNT &&
         WSTREAM_QUEUING_STRATEGY_GET_CLASS (strategy)->size == wstream_queuing_strategy_real_size;
}
