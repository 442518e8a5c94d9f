import { bootstrapApplication } from '@angular/platform-browser';
import { provideBrowserGlobalErrorListeners } from '@angular/core';
import { AppComponent } from './app/app.component';

bootstrapApplication(AppComponent, { providers: [provideBrowserGlobalErrorListeners()] }).catch((error: unknown) =>
  console.error(error),
);
