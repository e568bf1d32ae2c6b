using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace PSSocAutomation.Core
{
    /// <summary>
    /// The default connection of each service, per runspace: two runspaces (two runbooks, two ThreadJobs) never share
    /// or overwrite each other's connection, and it goes away with the runspace.
    /// </summary>
    public static class ConnectionRegistry<T> where T : class
    {
        private static readonly ConditionalWeakTable<Runspace, Holder> Table = new ConditionalWeakTable<Runspace, Holder>();
        private static readonly object Gate = new object();

        public static T? Current
        {
            get
            {
                var runspace = Runspace.DefaultRunspace;
                if (runspace is null) return null;
                lock (Gate) return Table.TryGetValue(runspace, out var holder) ? holder.Value : null;
            }
            set
            {
                var runspace = Runspace.DefaultRunspace;
                if (runspace is null) return;
                lock (Gate) Table.GetOrCreateValue(runspace).Value = value;
            }
        }

        private sealed class Holder
        {
            public T? Value;
        }
    }
}
