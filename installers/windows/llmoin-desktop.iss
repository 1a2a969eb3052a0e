; Inno Setup 6 script: per-machine installer for LLMoin Desktop (Windows 10/11, x64).
;
; Build (on Windows, after `python installers\build.py` made installers\build\dist\llmoin-desktop):
;   iscc /DAppVersion=0.1.0 installers\windows\llmoin-desktop.iss
;   -> installers\build\llmoin-desktop-0.1.0-setup.exe
;
; Silent, per-machine install (software distribution, SCCM/Intune, GPO startup script):
;   llmoin-desktop-0.1.0-setup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART /LOG="%TEMP%\llmoin-setup.log"
;   optional: /DIR="D:\Programme\LLMoin Desktop"  /TASKS="desktopicon"  /SELFTEST=1 (see below)
; Silent uninstall (user data is KEPT):
;   "%ProgramFiles%\LLMoin Desktop\unins000.exe" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART
; Uninstall and also delete the data of EVERY user profile on this PC:
;   "%ProgramFiles%\LLMoin Desktop\unins000.exe" /VERYSILENT /SUPPRESSMSGBOXES /PURGEUSERDATA=1
;
; The machine-wide policy (%ProgramData%\LLMoin\llmoin-desktop\policy.toml or Group Policy)
; belongs to IT: its contents are neither written nor removed here. The installer creates the
; folder ADMIN-ONLY (see [Dirs] and [Run] below): %ProgramData% lets every user create files in
; new sub-folders, so without this a clerk could drop her own policy.toml there (issue 18).

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "LLMoin Desktop"
#define AppExe "llmoin-desktop.exe"
#define BundleDir "..\build\dist\llmoin-desktop"

[Setup]
AppId={{6B7C2D1E-4F0A-4B8E-9C51-2A7D3E9F1B60}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=LLMoin
DefaultDirName={autopf}\LLMoin Desktop
DefaultGroupName=LLMoin Desktop
DisableProgramGroupPage=yes
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\build
OutputBaseFilename=llmoin-desktop-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
CloseApplications=yes
SetupLogging=yes
ChangesAssociations=yes

[Languages]
Name: "de"; MessagesFile: "compiler:Languages\German.isl"
Name: "en"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Dirs]
; IT's policy folder: administrators and SYSTEM full control, users read only. The icacls
; steps in [Run] then remove the ACEs inherited from %ProgramData% (CREATOR OWNER / Users:
; create files), which Inno's Permissions alone cannot take away, and make Administrators
; the owner (an owner may always rewrite the ACL, e.g. when a user made the folder first).
Name: "{commonappdata}\LLMoin"; Permissions: admins-full system-full users-readexec; Flags: uninsneveruninstall
Name: "{commonappdata}\LLMoin\llmoin-desktop"; Permissions: admins-full system-full users-readexec; Flags: uninsneveruninstall

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "..\policy\policy.example.toml"; DestDir: "{app}\policy"; Flags: ignoreversion
Source: "..\policy\LLMoinDesktop.admx"; DestDir: "{app}\policy"; Flags: ignoreversion
Source: "..\policy\de-DE\LLMoinDesktop.adml"; DestDir: "{app}\policy\de-DE"; Flags: ignoreversion
Source: "..\policy\en-US\LLMoinDesktop.adml"; DestDir: "{app}\policy\en-US"; Flags: ignoreversion

[Icons]
; Per-machine Start-menu entry (All Users).
Name: "{commonprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"
Name: "{commondesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Tasks: desktopicon

[Registry]
; Double-clicking a shared task file (.llmoin-task) opens the app, which shows what the task
; does and imports it after the clerk confirms (docs/tasks.md "Aufgaben weitergeben").
Root: HKA; Subkey: "Software\Classes\.llmoin-task"; ValueType: string; ValueName: ""; ValueData: "LLMoin.Task"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\LLMoin.Task"; ValueType: string; ValueName: ""; ValueData: "LLMoin-Aufgabe"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\LLMoin.Task\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"
Root: HKA; Subkey: "Software\Classes\LLMoin.Task\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""

[Run]
; Policy folder admin-only (see [Dirs]); well-known SIDs so it works in every Windows language:
; S-1-5-32-544 Administrators, S-1-5-18 SYSTEM, S-1-5-32-545 Users (read and list only).
Filename: "{sys}\icacls.exe"; Parameters: """{commonappdata}\LLMoin"" /setowner *S-1-5-32-544 /T /C"; Flags: runhidden waituntilterminated
Filename: "{sys}\icacls.exe"; Parameters: """{commonappdata}\LLMoin"" /inheritance:r /grant:r *S-1-5-32-544:(OI)(CI)F *S-1-5-18:(OI)(CI)F *S-1-5-32-545:(OI)(CI)RX /T /C"; Flags: runhidden waituntilterminated
; Interactive installs offer to start the app; silent installs never start it.
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
; /SELFTEST=1: verify the installation (window offscreen, model, document worker, one task).
Filename: "{app}\{#AppExe}"; Parameters: "--self-test"; Flags: runhidden waituntilterminated; Check: WantSelfTest

[UninstallDelete]
; Only what the program itself created inside its own folder (e.g. byte-code caches).
Type: filesandordirs; Name: "{app}\_internal\__pycache__"

[Code]
function WantSelfTest(): Boolean;
begin
  Result := ExpandConstant('{param:SELFTEST|0}') = '1';
end;

{ User data and settings live in each profile under %LOCALAPPDATA%\LLMoin\llmoin-desktop
  (platformdirs: settings.json, history, library, user models, terms acceptance). They are kept unless /PURGEUSERDATA=1 is given, or an interactive uninstall
  answers "Ja" to the question below. }
procedure DeleteUserData();
var
  FindRec: TFindRec;
  ProfilesDir, Dir: String;
begin
  ProfilesDir := ExpandConstant('{sd}\Users');
  if FindFirst(ProfilesDir + '\*', FindRec) then
  try
    repeat
      if (FindRec.Attributes and FILE_ATTRIBUTE_DIRECTORY <> 0) and (FindRec.Name <> '.') and (FindRec.Name <> '..') then
      begin
        Dir := ProfilesDir + '\' + FindRec.Name + '\AppData\Local\LLMoin\llmoin-desktop';
        if DirExists(Dir) then
        begin
          Log('Deleting user data: ' + Dir);
          DelTree(Dir, True, True, True);
        end;
      end;
    until not FindNext(FindRec);
  finally
    FindClose(FindRec);
  end;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  Purge: Boolean;
begin
  if CurUninstallStep = usPostUninstall then
  begin
    Purge := ExpandConstant('{param:PURGEUSERDATA|0}') = '1';
    if (not Purge) and (not UninstallSilent()) then
      Purge := MsgBox('Sollen auch die Daten aller Benutzer (Verlauf, Dokumentbibliothek, eigene Modelle, Einstellungen) gelöscht werden?' + #13#10#13#10 +
                      'Nein = Daten bleiben erhalten (empfohlen).', mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES;
    if Purge then
      DeleteUserData();
  end;
end;
