; Writer for Windows: a per-user installer for the PyInstaller onedir (dist\writer).
; Build on Windows after `bash installers/build.sh` (or pyinstaller installers\pyinstaller\writer.spec):
;   makensis /DVERSION=0.1.0 installers\windows\writer.nsi
; It installs under %LOCALAPPDATA%\Programs\Writer without administrator rights, adds a
; Start-menu entry and an uninstaller, and offers (unticked) to open .md and .txt files with
; Writer. Settings, models and recovery copies live in the user's folders and survive updates
; and uninstalling.
Unicode true
!ifdef NOCOMPRESS
  SetCompress off ; CI compiles this script against the Linux onedir as a syntax check
!else
  SetCompressor /SOLID lzma
!endif

!ifndef VERSION
  !define VERSION "0.1.0"
!endif
!ifndef SOURCE
  !define SOURCE "..\..\dist\writer"
!endif
!ifndef OUTFILE
  !define OUTFILE "..\..\dist\writer-${VERSION}-windows-x86_64.exe"
!endif
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Writer"
!define PROGID "Writer.TextDocument"

Name "Writer"
OutFile "${OUTFILE}"
RequestExecutionLevel user
InstallDir "$LOCALAPPDATA\Programs\Writer"
InstallDirRegKey HKCU "Software\Writer" "InstallDir"

!include "MUI2.nsh"
!define MUI_ICON "..\..\resources\icons\writer.ico"
!define MUI_UNICON "..\..\resources\icons\writer.ico"
!define MUI_FINISHPAGE_RUN "$INSTDIR\writer.exe"
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_LANGUAGE "SimpChinese"
!insertmacro MUI_LANGUAGE "TradChinese"

Section "Writer" SecApp
  SectionIn RO
  ; An update replaces the previous version's libraries instead of mixing them.
  RMDir /r "$INSTDIR\_internal"
  SetOutPath "$INSTDIR"
  File /r "${SOURCE}\*.*"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateShortcut "$SMPROGRAMS\Writer.lnk" "$INSTDIR\writer.exe"
  WriteRegStr HKCU "Software\Writer" "InstallDir" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "Writer"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\writer.exe,0"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
SectionEnd

; Offered, not forced: Writer joins the "Open with" list of .md and .txt files; Windows keeps
; asking the user which program is the default.
Section /o "Open .md and .txt files with Writer" SecAssociate
  WriteRegStr HKCU "Software\Classes\${PROGID}" "" "Text document"
  WriteRegStr HKCU "Software\Classes\${PROGID}\DefaultIcon" "" "$INSTDIR\writer.exe,0"
  WriteRegStr HKCU "Software\Classes\${PROGID}\shell\open\command" "" '"$INSTDIR\writer.exe" "%1"'
  WriteRegStr HKCU "Software\Classes\.md\OpenWithProgids" "${PROGID}" ""
  WriteRegStr HKCU "Software\Classes\.txt\OpenWithProgids" "${PROGID}" ""
  WriteRegStr HKCU "Software\Writer" "Associated" "1"
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)' ; SHCNE_ASSOCCHANGED
SectionEnd

Section "Uninstall"
  Delete "$SMPROGRAMS\Writer.lnk"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\writer.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR" ; only if empty: files the user put there stay
  DeleteRegValue HKCU "Software\Classes\.md\OpenWithProgids" "${PROGID}"
  DeleteRegValue HKCU "Software\Classes\.txt\OpenWithProgids" "${PROGID}"
  DeleteRegKey HKCU "Software\Classes\${PROGID}"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
  DeleteRegKey HKCU "Software\Writer"
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'
SectionEnd
