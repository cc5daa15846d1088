import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { initialLocale } from './i18n/index.tsx';
import './style.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App initialLocale={initialLocale()} />
  </StrictMode>,
);
