using System.Collections;
using System.Reflection;
using MigrationCluster.Runtime.Core;

namespace MigrationCluster.Runtime.Tests.Serialization;

/// <summary>Builds a non-default sample value of any type used in a grain interface, by reflection.</summary>
internal static class SampleValues
{
    public static object? Create(Type type, IGrainFactory factory, int depth = 0)
    {
        if (depth > 6)
        {
            return null;
        }
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null)
        {
            return Create(underlying, factory, depth);
        }
        if (type == typeof(string)) return "sample-ü";
        if (type == typeof(int)) return 42;
        if (type == typeof(long)) return long.MaxValue - 7;
        if (type == typeof(uint)) return 7u;
        if (type == typeof(ulong)) return ulong.MaxValue - 3;
        if (type == typeof(short)) return (short)-3;
        if (type == typeof(byte)) return (byte)200;
        if (type == typeof(bool)) return true;
        if (type == typeof(double)) return 0.125;
        if (type == typeof(float)) return 1.5f;
        if (type == typeof(decimal)) return 12.5m;
        if (type == typeof(Guid)) return new Guid("00112233-4455-6677-8899-aabbccddeeff");
        if (type == typeof(TimeSpan)) return TimeSpan.FromMilliseconds(1234);
        if (type == typeof(DateTime)) return new DateTime(2026, 11, 22, 1, 2, 3, DateTimeKind.Utc);
        if (type == typeof(DateTimeOffset)) return new DateTimeOffset(2026, 11, 22, 1, 2, 3, TimeSpan.Zero);
        if (type == typeof(GrainId)) return new GrainId("sample", "7");
        if (type == typeof(CancellationToken)) return CancellationToken.None;
        if (type.IsEnum)
        {
            var values = Enum.GetValues(type);
            return values.GetValue(values.Length - 1);
        }
        if (type.IsInterface && typeof(IGrain).IsAssignableFrom(type))
        {
            var method = typeof(IGrainFactory).GetMethods().Single(m => m.Name == nameof(IGrainFactory.GetGrain) && m.GetParameters()[0].ParameterType == typeof(GrainId));
            return method.MakeGenericMethod(type).Invoke(factory, [new GrainId("sample", "ref")]);
        }
        if (type.IsArray)
        {
            var element = type.GetElementType()!;
            var array = Array.CreateInstance(element, 2);
            array.SetValue(Create(element, factory, depth + 1), 0);
            array.SetValue(Create(element, factory, depth + 1), 1);
            return array;
        }
        if (type.IsGenericType)
        {
            var definition = type.GetGenericTypeDefinition();
            var args = type.GetGenericArguments();
            if (definition == typeof(List<>) || definition == typeof(IReadOnlyList<>) || definition == typeof(IList<>) || definition == typeof(IEnumerable<>) || definition == typeof(IReadOnlyCollection<>))
            {
                var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(args[0]))!;
                list.Add(Create(args[0], factory, depth + 1));
                return list;
            }
            if (definition == typeof(Dictionary<,>) || definition == typeof(IReadOnlyDictionary<,>) || definition == typeof(IDictionary<,>))
            {
                var dictionary = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(args))!;
                dictionary.Add(Create(args[0], factory, depth + 1)!, Create(args[1], factory, depth + 1));
                return dictionary;
            }
        }
        // A class or struct: the constructor with the most parameters, then settable members.
        var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault();
        object instance;
        if (constructor is null)
        {
            instance = Activator.CreateInstance(type)!;
        }
        else
        {
            instance = constructor.Invoke([.. constructor.GetParameters().Select(p => Create(p.ParameterType, factory, depth + 1))]);
        }
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.GetIndexParameters().Length == 0))
        {
            property.SetValue(instance, Create(property.PropertyType, factory, depth + 1));
        }
        return instance;
    }
}
