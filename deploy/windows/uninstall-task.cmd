@echo off
rem Stops the dashboard and removes its scheduled task (run as administrator).
schtasks /End /TN "SupervisionDashboard"
schtasks /Delete /F /TN "SupervisionDashboard"
netsh advfirewall firewall delete rule name="SupervisionDashboard 8501" >nul
rem The loop of dashboard-serve.cmd runs under cmd.exe; stop the server itself too.
for /f "tokens=5" %%p in ('netstat -ano ^| findstr ":8501 " ^| findstr LISTENING') do taskkill /F /PID %%p
echo The task is removed. The store and the logs are kept.
