using System;

namespace PSSocAutomation.Core
{
    /// <summary>A connection a Connect-* cmdlet made; closed by its Disconnect-*.</summary>
    public interface IServiceConnection : IDisposable
    {
        Uri Uri { get; }
        bool IsDisposed { get; }
    }
}
