using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace MigrationCluster.Hosting.SiloProcess;

/// <summary>
/// The silo process's options as <see cref="IOptions{TOptions}"/>: ours (<see cref="SiloProcessOptions"/>,
/// section <c>Silo</c>) and the Orleans ones it sets (<see cref="ClusterOptions"/> and
/// <see cref="EndpointOptions"/>, which Orleans binds from <c>Orleans</c> itself, and
/// <see cref="ClusterMembershipOptions"/> from <c>Orleans:Membership</c>), each with its validator, checked on start.
/// </summary>
public static class SiloSettings
{
    public static IServiceCollection AddSiloSettings(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<SiloProcessOptions>().BindConfiguration(SiloProcessOptions.SectionName).ValidateOnStart();
        services.AddOptions<ClusterMembershipOptions>().BindConfiguration(FailureDetectionValidator.SectionName).ValidateOnStart();
        services.AddOptions<ClusterOptions>().ValidateOnStart();
        services.AddOptions<EndpointOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SiloProcessOptions>, SiloProcessOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ClusterMembershipOptions>, FailureDetectionValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ClusterOptions>, ClusterIdentityValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EndpointOptions>, EndpointSettingsValidator>());
        return services;
    }

    /// <summary>
    /// Runs the same binding and validators before anything is created (the state directory, the
    /// certificate, a database schema), and returns our options.
    /// </summary>
    /// <exception cref="OptionsValidationException">A validator refused a value.</exception>
    /// <exception cref="InvalidOperationException">A value cannot be read as its type (e.g. a TimeSpan).</exception>
    public static SiloProcessOptions Check(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var services = new ServiceCollection();
        services.AddSingleton(configuration);
        // What Orleans binds from the Orleans section when the silo is built (its endpoints are read by EndpointSettingsValidator).
        services.Configure<ClusterOptions>(configuration.GetSection("Orleans"));
        services.AddSiloSettings();
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
        return provider.GetRequiredService<IOptions<SiloProcessOptions>>().Value;
    }
}
