import { mountPage } from '../../components/mount.tsx';
import { OptionsPage } from '../../components/OptionsPage.tsx';
import '../popup/style.css';

mountPage('optionsTitle', () => <OptionsPage />);
