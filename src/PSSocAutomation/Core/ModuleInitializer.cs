using System;
using System.Collections.Generic;
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
    /// Loads the engine (PSSocAutomation.Engine) and every third-party assembly it needs from the module's Dependencies
    /// folder, so they never collide with the copies other modules (AWS Tools, Az) or PowerShell itself load into the
    /// same session. On PowerShell 7 the engine goes into the module's own AssemblyLoadContext, and because that context
    /// loaded it, everything the engine references resolves there too. On Windows PowerShell 5.1, which has one context,
    /// the resolver is also the binding redirect powershell.exe.config cannot give.
    /// Like PSResourceGet's handler it answers only for assemblies shipped in Dependencies/, by full name, and only
    /// when the module's own code asks: anyone else's request falls through to whoever else resolves it.
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        private static readonly Assembly Self = typeof(ModuleInitializer).Assembly;
        private static readonly string DependencyFolder = Path.Combine(Path.GetDirectoryName(Self.Location) ?? ".", "Dependencies");
        private static readonly object Gate = new object();
        private static Dictionary<string, (AssemblyName Name, string Path)>? _shipped;
        private static bool _hooked;
#if NET8_0_OR_GREATER
        private static readonly DependencyLoadContext Context = new DependencyLoadContext();
#endif

        /// <summary>
        /// Called by the loader (PSSocAutomation.psm1) before Import-Module scans the cmdlet types: their base types name
        /// engine types, so the engine must already resolve from Dependencies/. OnImport comes too late for that.
        /// </summary>
        public static void Register() => Hook();

        /// <summary>The same, for a host that loads the assembly some other way and touches its code first.</summary>
#pragma warning disable CA2255 // A library's module initializer is exactly what is needed here.
        [System.Runtime.CompilerServices.ModuleInitializer]
        internal static void HookOnLoad() => Hook();
#pragma warning restore CA2255

        // Runs on every import (re-import, each runspace): hook once. By now the engine can load, so point its
        // document views at PowerShell objects (an alert's Original, an IRIS object's Raw).
        public void OnImport()
        {
            Hook();
            ShowDocumentsAsObjects();
        }

        private static void ShowDocumentsAsObjects()
        {
            DocumentView.FromUtf8 = JsonToPSObject.Parse;
            DocumentView.FromElement = JsonToPSObject.Convert;
        }

        private static void Hook()
        {
            lock (Gate)
            {
                if (_hooked) return;
                AppDomain.CurrentDomain.AssemblyResolve += Resolve;
                _hooked = true;
            }
        }

        public void OnRemove(PSModuleInfo module)
        {
            lock (Gate)
            {
                if (!_hooked) return;
                AppDomain.CurrentDomain.AssemblyResolve -= Resolve;
                _hooked = false;
            }
        }

        /// <summary>Name → (full name, file) of every assembly in Dependencies/, read once from the files themselves.</summary>
        private static Dictionary<string, (AssemblyName Name, string Path)> Shipped()
        {
            lock (Gate)
            {
                if (_shipped != null) return _shipped;
                var map = new Dictionary<string, (AssemblyName, string)>(StringComparer.OrdinalIgnoreCase);
                if (Directory.Exists(DependencyFolder))
                    foreach (var path in Directory.GetFiles(DependencyFolder, "*.dll"))
                    {
                        try { var name = AssemblyName.GetAssemblyName(path); map[name.Name!] = (name, path); }
                        catch (BadImageFormatException) { } // not an assembly: nothing to serve
                    }
                return _shipped = map;
            }
        }

        /// <summary>The shipped file for a requested name: same name and public key, a version at least the one asked for.</summary>
        internal static string? Match(AssemblyName requested)
        {
            if (requested.Name is null || !Shipped().TryGetValue(requested.Name, out var shipped)) return null;
            if (requested.Version != null && shipped.Name.Version != null && shipped.Name.Version < requested.Version) return null;
            var wantedKey = requested.GetPublicKeyToken();
            if (wantedKey != null && wantedKey.Length > 0 && !KeysEqual(wantedKey, shipped.Name.GetPublicKeyToken())) return null;
            return shipped.Path;
        }

        private static bool KeysEqual(byte[] a, byte[]? b)
        {
            if (b is null || a.Length != b.Length) return false;
            for (var i = 0; i < a.Length; i++) if (a[i] != b[i]) return false;
            return true;
        }

        /// <summary>The module's own code: this assembly or anything loaded from Dependencies/.</summary>
        private static bool IsOurs(Assembly? requester)
        {
            if (requester is null) return false;
            if (requester == Self) return true;
            string location;
            try { location = requester.Location; }
            catch (NotSupportedException) { return false; } // dynamic assemblies have no file
            return location.Length > 0 && string.Equals(Path.GetDirectoryName(location), DependencyFolder, StringComparison.OrdinalIgnoreCase);
        }

        private static Assembly? Resolve(object? sender, ResolveEventArgs args)
        {
            if (!IsOurs(args.RequestingAssembly)) return null;
            var path = Match(new AssemblyName(args.Name));
            if (path is null) return null;
#if NET8_0_OR_GREATER
            return Context.LoadFromAssemblyPath(path);
#else
            return Assembly.LoadFrom(path);
#endif
        }

#if NET8_0_OR_GREATER
        /// <summary>
        /// The module's own context. Whatever the engine references is looked for here first: a shipped file wins over
        /// any copy in the default context; anything not shipped (the framework, PowerShell itself) comes from there.
        /// </summary>
        private sealed class DependencyLoadContext : AssemblyLoadContext
        {
            public DependencyLoadContext() : base("PSSocAutomation", isCollectible: false)
            {
            }

            protected override Assembly? Load(AssemblyName name)
            {
                var path = Match(name);
                return path is null ? null : LoadFromAssemblyPath(path);
            }
        }
#endif
    }
}
