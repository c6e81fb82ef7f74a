using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace MigrationCluster.Dashboard;

/// <summary>
/// The machine's page on any ASP.NET Core application that is an Orleans client of a
/// MigrationCluster cluster (<c>UseOrleansClient</c>, or a silo's own host), beside Orleans'
/// dashboard: <c>app.MapOrleansDashboard(routePrefix: "/dashboard")</c> and
/// <c>app.MapMigrationClusterDashboard()</c>. The page's link to Orleans' dashboard is relative
/// (<c>dashboard/</c> under the same prefix).
/// </summary>
public static class DashboardEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the page at <paramref name="routePrefix"/> (<c>/</c> by default) and its JSON under
    /// <c>{routePrefix}/api/</c>, reading the cluster through the application's <see cref="IClusterClient"/>
    /// (or, in a silo, its <see cref="IGrainFactory"/>). Returns the group, for conventions such as
    /// <c>RequireAuthorization()</c>.
    /// </summary>
    public static RouteGroupBuilder MapMigrationClusterDashboard(this IEndpointRouteBuilder endpoints, string? routePrefix = null, Action<MigrationClusterDashboardOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var options = new MigrationClusterDashboardOptions();
        configure?.Invoke(options);
        var grains = endpoints.ServiceProvider.GetService<IClusterClient>()
            ?? endpoints.ServiceProvider.GetService<IGrainFactory>()
            ?? throw new InvalidOperationException("MapMigrationClusterDashboard needs an Orleans client or silo in the application's services (UseOrleansClient or UseOrleans)");
        var prefix = (routePrefix ?? string.Empty).Trim().TrimEnd('/');
        if (prefix.Length > 0 && prefix[0] != '/')
        {
            prefix = "/" + prefix;
        }
        return endpoints.MapGroup(prefix).MapMachinePage(new MachineStateReader(grains, options));
    }
}
