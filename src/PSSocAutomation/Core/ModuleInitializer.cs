using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
#if NET8_0_OR_GREATER
using System.Runtime.Loader;
#endif

#if NETSTANDARD2_0
namespace System.Runtime.CompilerServices
{
    /// <summary>The CLR has run module initializers since .NET Framework 1.0; netstandard2.0 only lacks the attribute.</summary>
    [AttributeUsage(AttributeTargets.Method, Inherited = false)]
    internal sealed class ModuleInitializerAttribute : Attribute
    {
    }
}
#endif

namespace PSSocAutomation.Core
{
    /// <summary>
    /// Loads the module's own dependencies (Polly, and on 5.1 System.Text.Json and friends) from its Dependencies folder,
    /// so they do not collide with the versions other modules (AWS Tools, Az) load into the same session. On PowerShell 7
    /// they live in the module's own AssemblyLoadContext; on Windows PowerShell 5.1 the resolver is also the binding
    /// redirect powershell.exe.config cannot give.
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        private static readonly string DependencyFolder = Path.Combine(Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location) ?? ".", "Dependencies");
        private static readonly object Gate = new object();
        private static bool _hooked;
#if NET8_0_OR_GREATER
        private static readonly DependencyLoadContext Context = new DependencyLoadContext(DependencyFolder);
#endif

        /// <summary>
        /// Runs when the assembly loads, before PowerShell reflects over the cmdlet types: some of them name Polly types,
        /// and scanning them must already find Polly in Dependencies/. OnImport alone comes too late for that.
        /// </summary>
#pragma warning disable CA2255 // A library's module initializer is exactly what is needed here: nothing else runs early enough.
        [System.Runtime.CompilerServices.ModuleInitializer]
        internal static void HookOnLoad() => Hook();
#pragma warning restore CA2255

        // Runs on every import (re-import, each runspace): hook once.
        public void OnImport() => Hook();

        private static void Hook()
        {
            lock (Gate)
            {
                if (_hooked) return;
#if NET8_0_OR_GREATER
                AssemblyLoadContext.Default.Resolving += ResolveIntoModuleContext;
#else
                AppDomain.CurrentDomain.AssemblyResolve += ResolveFromDependencies;
#endif
                _hooked = true;
            }
        }

        public void OnRemove(PSModuleInfo module)
        {
            lock (Gate)
            {
                if (!_hooked) return;
#if NET8_0_OR_GREATER
                AssemblyLoadContext.Default.Resolving -= ResolveIntoModuleContext;
#else
                AppDomain.CurrentDomain.AssemblyResolve -= ResolveFromDependencies;
#endif
                _hooked = false;
            }
        }

        private static string? Candidate(string? simpleName)
        {
            if (string.IsNullOrEmpty(simpleName)) return null;
            var path = Path.Combine(DependencyFolder, simpleName + ".dll");
            return File.Exists(path) ? path : null;
        }

#if NET8_0_OR_GREATER
        private static Assembly? ResolveIntoModuleContext(AssemblyLoadContext context, AssemblyName name) =>
            Candidate(name.Name) is null ? null : Context.LoadFromAssemblyName(name);

        private sealed class DependencyLoadContext : AssemblyLoadContext
        {
            private readonly string _folder;

            public DependencyLoadContext(string folder) : base("PSSocAutomation.Dependencies", isCollectible: false) => _folder = folder;

            protected override Assembly? Load(AssemblyName name)
            {
                var path = Path.Combine(_folder, name.Name + ".dll");
                // Anything not shipped by the module (the framework, PowerShell itself) comes from the default context.
                return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
            }
        }
#else
        private static Assembly? ResolveFromDependencies(object? sender, ResolveEventArgs args)
        {
            var path = Candidate(new AssemblyName(args.Name).Name);
            return path is null ? null : Assembly.LoadFrom(path);
        }
#endif
    }
}
