namespace MigrationCluster.Hosting.Tests;

public sealed class FailureMessageTests
{
    [Fact]
    public void Orleans_message_with_an_inner_type_and_stack_trace_becomes_its_first_sentence()
    {
        // As Orleans words a message it could not deliver to a silo that had died.
        var exception = new InvalidOperationException(
            "Exception while sending message: Orleans.Runtime.Messaging.ConnectionFailedException: Unable to connect to S127.0.0.1:17395:155672340, will retry after 882.027ms\n" +
            "   at Orleans.Runtime.Messaging.ConnectionManager.GetConnectionAsync(SiloAddress endpoint) in /_/src/Orleans.Core/Networking/ConnectionManager.cs:line 142");

        Assert.Equal("Exception while sending message: Unable to connect to S127.0.0.1:17395:155672340, will retry after 882.027ms", FailureMessage.Of(exception));
    }

    [Fact]
    public void A_plain_sentence_is_kept_and_an_empty_one_is_replaced()
    {
        Assert.Equal("silo silo-2 (127.0.0.1:11111) left the cluster during the run (Dead); the run was abandoned",
            FailureMessage.Of(new InvalidOperationException("silo silo-2 (127.0.0.1:11111) left the cluster during the run (Dead); the run was abandoned")));
        Assert.Equal("the call failed without saying why", FailureMessage.Of(new InvalidOperationException(" \n at X.Y()")));
    }
}
