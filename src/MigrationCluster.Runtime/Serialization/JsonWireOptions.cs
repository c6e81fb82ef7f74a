using System.Text.Json;
using System.Text.Json.Serialization;
using MigrationCluster.Runtime.Core;
using MigrationCluster.Runtime.Invocation;

namespace MigrationCluster.Runtime.Serialization;

/// <summary>The JSON settings of the wire codec and the deep copier.</summary>
internal static class JsonWireOptions
{
    public static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };

    public static readonly JsonSerializerOptions Serializer = Create();

    /// <summary>
    /// The grain factory that turns grain ids read off the wire back into references. Set by the
    /// message decoder for the duration of a decode.
    /// </summary>
    [ThreadStatic]
    internal static IGrainFactory? CurrentGrainFactory;

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions
        {
            IncludeFields = true,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            PropertyNamingPolicy = null,
        };
        options.Converters.Add(new GrainIdJsonConverter());
        options.Converters.Add(new GrainReferenceJsonConverterFactory());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    private sealed class GrainIdJsonConverter : JsonConverter<GrainId>
    {
        public override GrainId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.GetString() is { Length: > 0 } text ? GrainId.Parse(text) : default;

        public override void Write(Utf8JsonWriter writer, GrainId value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.IsDefault ? string.Empty : value.ToString());
    }

    private sealed class GrainReferenceJsonConverterFactory : JsonConverterFactory
    {
        public override bool CanConvert(Type typeToConvert) =>
            typeToConvert.IsInterface && typeof(IGrain).IsAssignableFrom(typeToConvert);

        public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
            (JsonConverter)Activator.CreateInstance(typeof(GrainReferenceJsonConverter<>).MakeGenericType(typeToConvert))!;
    }

    private sealed class GrainReferenceJsonConverter<TGrain> : JsonConverter<TGrain>
        where TGrain : class, IGrain
    {
        public override TGrain? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                return null;
            }
            var id = GrainId.Parse(reader.GetString()!);
            var factory = CurrentGrainFactory ?? throw new InvalidOperationException($"A grain reference ({id}) can only be read inside a silo or client.");
            return factory.GetGrain<TGrain>(id);
        }

        public override void Write(Utf8JsonWriter writer, TGrain value, JsonSerializerOptions options)
        {
            if (value is GrainReference reference)
            {
                writer.WriteStringValue(reference.GrainId.ToString());
                return;
            }
            throw new InvalidOperationException($"Only grain references can be sent as {typeof(TGrain).Name}, not a grain instance.");
        }
    }
}
