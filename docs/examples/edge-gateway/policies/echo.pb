
[

echo.protoecho"
Ping
msg (	Rmsg2%
Echo
Say
.echo.Ping
.echo.Pingbproto3